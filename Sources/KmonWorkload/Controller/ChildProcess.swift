import Foundation
import Glibc
import KmonSystem
import Synchronization

/// A spawned child with stdout and stderr going to a log file. A thread waits for it, so its
/// exit is noticed at once and it never lingers as a zombie.
final class ChildProcess: @unchecked Sendable {
    let pid: Int32
    let logPath: String
    private let state = Mutex<Int32?>(nil)
    private let exited = DispatchSemaphore(value: 0)

    /// Spawns `argv` in its own process group, so a terminal's Ctrl-C reaches only the
    /// controller, which then stops the children in order.
    init(argv: [String], logPath: String, onExit: @escaping @Sendable (Int32) -> Void) throws {
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // Opened here (never through a symlink), handed to the child as stdout and stderr.
        let log = try OutputFile.open(logPath)
        defer { close(log) }
        posix_spawn_file_actions_adddup2(&actions, log, 1)
        posix_spawn_file_actions_adddup2(&actions, log, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The controller ignores SIGINT/SIGTERM (SignalTrap); children must get the defaults back.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        var pid: Int32 = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, &attributes, cArgs, environ)
        guard rc == 0 else { throw SystemCallError("posix_spawn(\(argv[0]))", errno: rc) }
        self.pid = pid
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(self.pid, &status, 0) < 0 && errno == EINTR {}
            self.state.withLock { $0 = status }
            self.exited.signal()
            onExit(status)
        }
        thread.name = "wait-\(pid)"
        thread.start()
    }

    /// The raw wait status once the child has exited.
    var waitStatus: Int32? { state.withLock { $0 } }

    /// Waits up to `seconds` for the exit; true if it exited.
    func waitForExit(seconds: Double) -> Bool {
        if waitStatus != nil { return true }
        guard exited.wait(timeout: .now() + seconds) == .success else { return false }
        exited.signal()
        return true
    }

    /// SIGTERM, then SIGKILL after `grace` seconds; returns once the child is reaped.
    func terminate(grace: Double) {
        guard waitStatus == nil else { return }
        kill(pid, SIGTERM)
        if !waitForExit(seconds: grace) {
            kill(pid, SIGKILL)
            _ = waitForExit(seconds: 5)
        }
    }

    /// "exited with status 1" or "killed by signal 9 (Killed)".
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7F
        if signal == 0 { return "exited with status \((status >> 8) & 0xFF)" }
        return "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
    }

    /// The last `count` lines of the log, for reports about a dead child.
    func logTail(_ count: Int = 10) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8) else { return "(no log)" }
        return text.split(separator: "\n", omittingEmptySubsequences: true).suffix(count).joined(separator: "\n")
    }
}
