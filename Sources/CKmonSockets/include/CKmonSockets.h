#ifndef CKMON_SOCKETS_H
#define CKMON_SOCKETS_H
/* What the load generator needs and Swift's Glibc module does not export: <sys/epoll.h>, and
 * prctl (variadic, so Swift cannot call it) for the timer slack. */
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <time.h>

/* The calling thread's timer slack in ns: by default the kernel may wake a sleeper up to 50 us
 * late to batch wakeups; the generator sleeps until just before a send, so it asks for 1 ns. */
static inline int ckmon_set_timer_slack(unsigned long ns) {
    return prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0);
}
#endif
