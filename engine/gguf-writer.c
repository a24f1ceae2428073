/* gguf-writer.c — being written. */
