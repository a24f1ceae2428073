/* placeholder */
#include "index/hybrid.h"
