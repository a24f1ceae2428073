/* xml.c — being written. */
#include "ingest/xml.h"
