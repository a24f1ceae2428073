/* gguf-writer.h — being written. */
#pragma once
