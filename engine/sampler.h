/* sampler.h — being written. */
#pragma once
