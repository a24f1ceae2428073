/* context.c — being written. */
