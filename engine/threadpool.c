/* threadpool.c — being written. */
