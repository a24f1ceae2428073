/* cli-output.c — being written. */
