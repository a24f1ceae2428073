/* pdfgen.c — being written. */
#include "tests/pdfgen.h"
