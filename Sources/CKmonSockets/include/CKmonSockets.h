#ifndef CKMON_SOCKETS_H
#define CKMON_SOCKETS_H
/* epoll for the load generator: Swift's Glibc module does not export <sys/epoll.h>. */
#include <sys/epoll.h>
#include <time.h>
#endif
