import Glibc

/// This test process's open file limit, for tests that hold thousands of sockets.
enum DescriptorLimit {
    /// Raises the soft RLIMIT_NOFILE to at least `count` (at most the hard limit); returns the
    /// soft limit now in force.
    @discardableResult
    static func raise(to count: Int) -> Int {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(count) {
            limit.rlim_cur = min(rlim_t(count), limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }
}
