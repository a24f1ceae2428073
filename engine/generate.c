/* generate.c — being written. */
