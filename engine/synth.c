/* synth.c — being written. */
