/* xml.h — being written. */
#pragma once
