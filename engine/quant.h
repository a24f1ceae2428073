/* quant.h — being written. */
#pragma once
