/* placeholder */
#include "index/vectors.h"
