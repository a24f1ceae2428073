/* chat.c — being written. */
