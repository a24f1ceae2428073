/* placeholder */
#include "index/embeddings.h"
