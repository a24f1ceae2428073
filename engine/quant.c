/* quant.c — being written. */
