/* chat.h — being written. */
#pragma once
