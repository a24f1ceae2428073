/* vocab.h — being written. */
#pragma once
