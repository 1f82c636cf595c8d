/* Nothing to compile: CKmonSockets only exports <sys/epoll.h> to Swift. SwiftPM needs one source. */
#include "CKmonSockets.h"
