/* gguf.c — being written. */
