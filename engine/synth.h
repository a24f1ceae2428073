/* synth.h — being written. */
#pragma once
