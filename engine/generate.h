/* generate.h — being written. */
#pragma once
