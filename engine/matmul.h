/* matmul.h — being written. */
#pragma once
