/* gguf.h — being written. */
#pragma once
