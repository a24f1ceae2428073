/* library.c — being written. */
#include "app/library.h"
