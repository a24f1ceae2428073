/* ops.h — being written. */
#pragma once
