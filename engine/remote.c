/* placeholder */
#include "engine/answer.h"
