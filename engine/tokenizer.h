/* tokenizer.h — being written. */
#pragma once
