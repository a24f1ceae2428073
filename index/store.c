/* store.c — being written. */
#include "index/store.h"
