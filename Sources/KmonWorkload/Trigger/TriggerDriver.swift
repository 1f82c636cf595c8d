import Glibc
import KmonSupport
import KmonSystem

/// `kmon-service --trigger`: the bench's controlled trigger (docs/bench.md, "The trigger level").
///
/// One process, one thread, one loopback connection to itself: it listens on 127.0.0.1, connects,
/// accepts, pins itself to the CPU it is on, and prints `ready`. Then each line `N MS` on stdin runs
/// N iterations of client write, server read, server write, client read (fewer if MS milliseconds
/// pass first), and prints `DONE CPU_NS WALL_NS`: the iterations done, the thread's CPU time over
/// them and the elapsed CLOCK_MONOTONIC time. The CPU time is what the iterations cost: on a
/// shared machine the wall time also holds the time other tenants had the CPU. Loopback
/// delivers inside the write (softirq in this task's context), so an iteration never sleeps and
/// every probed hook fires on this CPU, in this process (whose pid the bench puts in every
/// arm's filter). A listener exists, so the probes see a server side and a client side. EOF on
/// stdin (the bench is done, or died) ends it.
///
/// A third word, `N MS PATTERN`, shapes each iteration (TriggerPattern: split request or
/// response, fresh connections, a message taken by splice) and adds the data calls made to the reply:
/// `DONE CPU_NS WALL_NS SENDS RECEIVES` (scripts/tcpreq-paths).
public enum TriggerDriver {
    public static let flag = "--trigger"
    /// A small request and its response, as a service exchange looks on the wire.
    static let request = Array("GET /t HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
    static let response = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)

    /// Runs until EOF on stdin; the exit status.
    public static func main() -> Int32 {
        signal(SIGPIPE, SIG_DFL)
        let pair: TriggerPair
        do { pair = try connectedPair() } catch {
            print("error: \(error)")
            return 1
        }
        pinToCurrentCPU()
        print("ready")
        fflush(stdout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while let line = readLine() {
            let words = line.split(separator: " ")
            let numbers = words.prefix(2).compactMap { Int($0) }
            let pattern = words.count == 3 ? TriggerPattern(words[2]) : TriggerPattern.plain
            guard (2...3).contains(words.count), numbers.count == 2, numbers[0] > 0, numbers[1] > 0, let pattern else {
                print("error: expected ITERATIONS MILLISECONDS [plain|req:K|resp:K|fresh|splice:req|splice:resp], got \"\(line)\"")
                return 1
            }
            do {
                let result = try burst(numbers[0], maxNanoseconds: UInt64(numbers[1]) * 1_000_000, pair: pair,
                                       pattern: pattern, buffer: &buffer)
                // `N MS` keeps its three-word reply: the bench reads exactly that.
                let counts = words.count == 3 ? " \(result.counts.sends) \(result.counts.receives)" : ""
                print("\(result.done) \(result.cpuNs) \(result.wallNs)\(counts)")
            } catch {
                print("error: \(error)")
                return 1
            }
            fflush(stdout)
        }
        return 0
    }

    /// The driver's sockets: the connection its bursts use, the listener fresh connections come
    /// from, and the pipe the splice patterns take a message into.
    struct TriggerPair {
        var listener: Int32
        var endpoint: SocketEndpoint
        var client: Int32
        var server: Int32
        var pipe: (read: Int32, write: Int32)

        func close() { [listener, client, server, pipe.read, pipe.write].forEach { _ = Glibc.close($0) } }
    }

    static func connectedPair() throws -> TriggerPair {
        let listener = try TCPSocket.listen(on: SocketEndpoint(address: .loopbackV4, port: 0), backlog: 1)
        guard let bound = TCPSocket.localEndpoint(listener) else { throw SystemCallError("getsockname", errno: errno) }
        let client = try TCPSocket.connect(to: bound)
        let server = try TCPSocket.accept(listener)
        TCPSocket.setNoDelay(client)
        TCPSocket.setNoDelay(server)
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { throw SystemCallError("pipe", errno: errno) }
        // The listener stays open: it makes the accepted socket a server's, as in a service.
        return TriggerPair(listener: listener, endpoint: bound, client: client, server: server, pipe: (fds[0], fds[1]))
    }

    static func burst(_ iterations: Int, maxNanoseconds: UInt64, pair: TriggerPair, pattern: TriggerPattern = .plain,
                      buffer: inout [UInt8]) throws -> (done: Int, cpuNs: UInt64, wallNs: UInt64, counts: TriggerCounts) {
        let start = MonotonicClock.now(), cpuStart = threadCPUNanoseconds()
        var done = 0
        var counts = TriggerCounts()
        while done < iterations {
            try iteration(pattern, pair: pair, buffer: &buffer, counts: &counts)
            done += 1
            // The deadline bounds a phase on a machine busy with other work.
            if done % 256 == 0 && MonotonicClock.now() - start > maxNanoseconds { break }
        }
        return (done, threadCPUNanoseconds() - cpuStart, MonotonicClock.now() - start, counts)
    }

    static func threadCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Pins the process to the CPU it runs on, so every burst runs on one CPU's caches.
    /// sched_getcpu and sched_setaffinity are GNU extensions the Glibc module leaves out; they
    /// are looked up by name instead. Best effort: unpinned, the figures are only noisier.
    static func pinToCurrentCPU() {
        typealias GetCPU = @convention(c) () -> Int32
        typealias SetAffinity = @convention(c) (Int32, Int, UnsafeRawPointer) -> Int32
        guard let getSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getcpu"),
              let setSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else { return }
        let cpu = Int(unsafeBitCast(getSymbol, to: GetCPU.self)())
        guard cpu >= 0, cpu < 1024 else { return }
        var mask = [UInt64](repeating: 0, count: 16)  // a 1024-CPU cpu_set_t
        mask[cpu / 64] = UInt64(1) << UInt64(cpu % 64)
        _ = mask.withUnsafeBytes { unsafeBitCast(setSymbol, to: SetAffinity.self)(0, $0.count, $0.baseAddress!) }
    }
}
