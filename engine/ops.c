/* ops.c — being written. */
