/* search.c — being written. */
#include "index/search.h"
