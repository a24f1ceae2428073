/* dot.h — being written. */
#pragma once
