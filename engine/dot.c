/* dot.c — being written. */
