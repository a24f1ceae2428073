/* query.c — being written. */
#include "index/query.h"
