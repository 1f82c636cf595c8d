import Foundation
import Glibc
import KmonSupport
import KmonSystem
import Logging

/// The body of `kmon-service`: one service of a workload spec, as its own process.
public enum ServiceMain {
    public static func run(_ arguments: ServiceArguments) throws -> Never {
        let spec = try WorkloadSpec.load(path: arguments.specPath)
        guard let service = spec.service(named: arguments.service) else {
            throw ServiceArgumentsError("\(arguments.specPath) has no service named \"\(arguments.service)\"")
        }
        // Probes tell services apart by comm; threads started from now on inherit it.
        try setThreadName(service.processName)
        raiseDescriptorLimit()
        var logger = Logger(label: "kmon-service.\(service.name)")
        logger.logLevel = .info

        var peers: [String: SocketEndpoint] = [:]
        for callee in service.callees {
            peers[callee] = arguments.peers[callee]
                ?? SocketEndpoint(address: .loopbackV4, port: spec.service(named: callee)!.port)
        }
        let records = try arguments.recordsPath.map { try ServiceRecordWriter(path: $0, service: service.name) }
        let runtime = try ServiceRuntime(service: service, peers: peers, records: records, callTimeoutMs: arguments.callTimeoutMs)
        let bind = arguments.bind ?? SocketEndpoint(address: .loopbackV4, port: service.port)
        let server = try ServiceServer(runtime: runtime, bind: bind, arguments: arguments, logger: logger)
        let trap = SignalTrap()
        try server.start()
        if let portFile = arguments.portFile {
            // Written whole then renamed, so a reader never sees a partial port.
            try OutputFile.replace(portFile, with: "\(server.endpoint.port)\n")
        }
        logger.info("serving \(service.name) on \(server.endpoint), pid \(getpid())")

        // Run until SIGINT/SIGTERM, or until the parent (the controller) is gone.
        let parent = getppid()
        var logged = (evicted: 0, refused: 0)
        func logConnectionLimit() {
            // At most once per wake, so a flood of connections cannot flood the log.
            let counts = server.connections.counts
            guard counts != logged else { return }
            logged = counts
            logger.warning("at the limit of \(arguments.maxConnections) connections: \(counts.evicted) idle ones closed, \(counts.refused) refused (all busy) since start")
        }
        while !trap.token.wait(seconds: 0.5) {
            logConnectionLimit()
            if getppid() != parent {
                trap.token.stop(reason: "parent process exited")
            }
        }
        logConnectionLimit()
        runtime.waitUntilIdle(seconds: 1)
        records?.close()
        logger.info("stopping: \(trap.token.reason ?? "stopped")")
        if let losses = records?.losses(), losses.records > 0 {
            // Ground truth with holes must not pass for whole: the controller reports this status.
            logger.error("\(losses.records) records lost, not written to \(records!.path): \(losses.error.map { "\($0)" } ?? "write failed")")
            exit(recordsLostStatus)
        }
        exit(0)
    }

    /// The exit status of a service that could not write all its records (EX_IOERR).
    public static let recordsLostStatus: Int32 = 74

    /// One descriptor per connection: allow as many as the hard limit permits.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// PR_SET_NAME for the calling thread, through procfs (prctl is not exported to Swift).
    static func setThreadName(_ name: String) throws {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemCallError("open(/proc/thread-self/comm)") }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        guard write(fd, bytes, bytes.count) == bytes.count else { throw SystemCallError("write(/proc/thread-self/comm)") }
    }
}
