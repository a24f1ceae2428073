/* sampler.c — being written. */
