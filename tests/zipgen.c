/* zipgen.c — being written. */
#include "tests/zipgen.h"
