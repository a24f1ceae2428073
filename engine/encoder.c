/* encoder.c — being written. */
