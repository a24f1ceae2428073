/* tensor.c — being written. */
