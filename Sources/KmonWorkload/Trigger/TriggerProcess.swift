import Glibc
import KmonSupport
import KmonSystem

/// The bench's handle on a `kmon-service --trigger` driver (`TriggerDriver`): spawned with two
/// pipes, asked for bursts, and reaped by `stop()`. Its stdin is the bench's end alone (close on
/// exec), so when the bench exits or dies the driver reads EOF and exits too; no signal, no ledger.
public final class TriggerProcess {
    public let pid: Int32
    private var commands: Int32
    private let replies: Int32
    private var reaped = false

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Spawns the driver and waits for its `ready`.
    public init(executable: String, readyTimeout: Double = 10) throws {
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw SystemCallError("pipe") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw SystemCallError("pipe")
        }
        // No child but the driver may hold these (pipe2 is a GNU extension the Glibc module leaves out).
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // As ChildProcess: default signals back, own process group (Ctrl-C reaches the bench only).
        var defaults = sigset_t(), empty = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let arguments: [String] = [executable, TriggerDriver.flag]
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: Int32 = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw SystemCallError("posix_spawn(\(executable))", errno: rc)
        }
        self.pid = pid
        commands = toChild[1]
        replies = fromChild[0]
        do {
            let line = try readLine(timeout: readyTimeout)
            guard line == "ready" else { throw Failure(description: "the trigger driver did not start: \(line)") }
        } catch {
            stop()
            throw error
        }
    }

    /// What one burst did, as the driver measured it.
    public struct Burst: Sendable, Equatable {
        public var iterations: Int
        /// The driver thread's CPU time over the burst, and the elapsed time.
        public var cpuNanoseconds: UInt64
        public var wallNanoseconds: UInt64
    }

    /// Runs `iterations` request/response exchanges in the driver, fewer if `maxSeconds` pass first.
    public func burst(_ iterations: Int, maxSeconds: Double, timeout: Double = 60) throws -> Burst {
        let command = Array("\(iterations) \(max(1, Int(maxSeconds * 1000)))\n".utf8)
        guard commands >= 0, command.withUnsafeBytes({ write(commands, $0.baseAddress, $0.count) }) == command.count else {
            throw Failure(description: "the trigger driver is gone (write: \(String(cString: strerror(errno))))")
        }
        let line = try readLine(timeout: timeout)
        let words = line.split(separator: " ").compactMap { UInt64($0) }
        guard words.count == 3, let done = Int(exactly: words[0]) else {
            throw Failure(description: "the trigger driver failed: \(line)")
        }
        return Burst(iterations: done, cpuNanoseconds: words[1], wallNanoseconds: words[2])
    }

    /// One reply line, waiting at most `timeout` seconds.
    private func readLine(timeout: Double) throws -> String {
        var bytes: [UInt8] = []
        let deadline = MonotonicClock.now() + UInt64(timeout * 1e9)
        while true {
            let now = MonotonicClock.now()
            guard now < deadline else { throw Failure(description: "the trigger driver did not answer within \(timeout) s") }
            var poller = pollfd(fd: replies, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: (deadline - now) / 1_000_000 + 1))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var byte: UInt8 = 0
            let n = read(replies, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1 else { throw Failure(description: "the trigger driver exited (\(String(decoding: bytes, as: UTF8.self)))") }
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
    }

    /// Closes its stdin (it exits at EOF) and reaps it, killing it if it lingers. Safe to call twice.
    public func stop() {
        guard !reaped else { return }
        if commands >= 0 { close(commands); commands = -1 }
        var status: Int32 = 0
        var exited = false
        for _ in 0..<200 where !exited {  // up to a second for it to see EOF
            let rc = waitpid(pid, &status, WNOHANG)
            exited = rc == pid || (rc < 0 && errno != EINTR)
            if !exited { usleep(5_000) }
        }
        if !exited {
            kill(pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        close(replies)
        reaped = true
    }

    deinit { stop() }
}
