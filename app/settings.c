/* placeholder */
#include "app/settings.h"
