/* matmul.c — being written. */
