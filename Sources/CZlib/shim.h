#ifndef KMON_CZLIB_H
#define KMON_CZLIB_H
/* zlib, to read /proc/config.gz without running a decompressor found through PATH. */
#include <zlib.h>
#endif
