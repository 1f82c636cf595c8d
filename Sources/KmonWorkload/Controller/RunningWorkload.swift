import Foundation
import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem
import Logging
import Synchronization

/// A started workload: its services' endpoints, pids and CPU time, and `stop()`, which removes
/// every process, namespace, device and temporary file it made. When a service dies on its own,
/// `serviceExited` is stopped with a reason naming it, its exit status and its last log lines.
public final class RunningWorkload: @unchecked Sendable {
    public let spec: WorkloadSpec
    public let mode: WorkloadNetworkMode
    /// Stopped when a service exits while the workload is meant to be running.
    public let serviceExited = StopToken()

    private let options: WorkloadOptions
    private let logger: Logger
    private let temporaryDirectory: String
    private let suffix = UniqueSuffix.next()
    private var network: NetnsNetwork?
    private var cgroups: ServiceCgroups?
    private var ledgerSaved = false
    /// Appended to by `launch` while each child's wait thread may read it (`childExited`).
    private let children = Mutex<[Child]>([])
    private typealias Child = (service: RunningService, process: ChildProcess)
    private let stopping = Atomic<Bool>(false)
    private let stopLock = NSLock()
    private var stopped = false

    init(spec: WorkloadSpec, options: WorkloadOptions, logger: Logger) throws {
        self.spec = spec
        mode = options.mode
        self.options = options
        self.logger = logger
        var template = Array((NSTemporaryDirectory() + "kmon-workload-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else { throw SystemCallError("mkdtemp") }
        temporaryDirectory = String(cString: path)
    }

    public var services: [RunningService] { children.withLock { $0.map(\.service) } }
    public var ingress: RunningService { service(named: spec.ingress)! }
    public var ingressURL: String { "http://\(ingress.endpoint)/" }
    public var hostAddress: String? { network.map { IPAddress(ipv4: $0.hostAddress).description } }

    public func service(named name: String) -> RunningService? { services.first { $0.name == name } }
    public func service(pid: Int32) -> RunningService? { services.first { $0.pid == pid } }
    public func service(port: UInt16) -> RunningService? { services.first { $0.endpoint.port == port } }

    public var summary: WorkloadSummary {
        WorkloadSummary(spec: spec.file, name: spec.name, mode: mode, ingress: spec.ingress, ingressURL: ingressURL,
                        hostAddress: hostAddress, services: services)
    }

    /// CPU time (user + system, ns) of each service so far, by service name: from its cgroup v2
    /// cpu.stat (µs resolution) when it has one, else /proc/<pid>/stat (clock ticks, 10 ms).
    /// Services that have exited are missing.
    public func cpuTime() -> [String: UInt64] {
        var times: [String: UInt64] = [:]
        for child in children.withLock({ $0 }) where child.process.waitStatus == nil {
            times[child.service.name] = cgroups?.usageNanoseconds(child.service.name)
                ?? ProcessCPUTime.nanoseconds(pid: child.service.pid)
        }
        return times
    }

    /// Where `cpuTime()` comes from, for reports.
    public var cpuTimeSource: String {
        services.allSatisfy { $0.cgroup != nil } && !services.isEmpty
            ? "cgroup v2 cpu.stat usage_usec" : "/proc/<pid>/stat utime+stime (clock ticks)"
    }

    func launch() throws {
        let order = spec.startOrder
        try planLedger(order.map(\.name))
        if mode == .netns {
            network = try NetnsNetwork(suffix: suffix, services: order.map(\.name))
        }
        if geteuid() == 0 { cgroups = ServiceCgroups(suffix: suffix) }
        var endpoints: [String: SocketEndpoint] = [:]
        for service in order {
            try checkCancelled()
            var arguments = ServiceArguments()
            // Absolute, because the service may start in another directory or namespace.
            arguments.specPath = URL(fileURLWithPath: spec.file).standardizedFileURL.path
            arguments.service = service.name
            let host = network?.host(for: service.name)
            let address = host.map { IPAddress(ipv4: $0.address) } ?? .loopbackV4
            let port = mode == .loopback && options.ephemeralPorts ? 0 : service.port
            arguments.bind = SocketEndpoint(address: address, port: port)
            for callee in service.callees { arguments.peers[callee] = endpoints[callee] }
            arguments.recordsPath = options.recordsDirectory.map { "\($0)/\(service.name).records" }
            let portFile = "\(temporaryDirectory)/\(service.name).port"
            arguments.portFile = portFile
            let logPath = "\(temporaryDirectory)/\(service.name).log"
            let argv = (host.map { [IPCommand.executable, "netns", "exec", $0.namespace] } ?? [])
                + [options.serviceExecutable] + arguments.commandLine
            let name = service.name
            let process = try ChildProcess(argv: argv, logPath: logPath) { [weak self] status in
                self?.childExited(name, status: status)
            }
            var running = RunningService(name: service.name, processName: service.processName, pid: process.pid,
                                         endpoint: SocketEndpoint(address: address, port: port), namespace: host?.namespace,
                                         recordsPath: arguments.recordsPath, logPath: logPath)
            do {
                try cgroups?.add(service: service.name, pid: process.pid)
                running.cgroup = cgroups?.path(of: service.name)
            } catch {
                logger.debug("no cgroup for \(service.name) (\(error)); CPU time from /proc")
            }
            let index = children.withLock { $0.append((running, process)); return $0.count - 1 }
            running.endpoint.port = try waitUntilReady(running, process: process, portFile: portFile)
            children.withLock { $0[index].service = running }
            endpoints[service.name] = running.endpoint
            logger.debug("started \(service.name) pid \(process.pid) on \(running.endpoint)")
        }
    }

    /// Notes every name about to be created, so a later controller can clean up after us if
    /// this process dies without stopping.
    private func planLedger(_ services: [String]) throws {
        var ledger = WorkloadLedger(temporaryDirectory: temporaryDirectory)
        if mode == .netns {
            ledger.links = [NetnsNetwork.bridgeName(suffix: suffix)]
                + services.indices.map { NetnsNetwork.vethName(suffix: suffix, index: $0) }
            ledger.namespaces = services.map { NetnsNetwork.namespaceName(suffix: suffix, service: $0) }
        }
        if geteuid() == 0, let root = ServiceCgroups.rootPath(suffix: suffix) {
            ledger.cgroups = services.map { "\(root)/\($0)" } + [root]
        }
        try ledger.save(suffix: suffix)
        ledgerSaved = true
    }

    /// Waits for the port file, then for GET /health to answer 200.
    private func waitUntilReady(_ service: RunningService, process: ChildProcess, portFile: String) throws -> UInt16 {
        let deadline = Date().addingTimeInterval(options.readyTimeout)
        var port: UInt16?
        var lastProblem = "it did not start listening"
        while Date() < deadline {
            try checkCancelled()
            if let status = process.waitStatus {
                throw WorkloadController.StartError(description:
                    "service \(service.name) (pid \(service.pid)) \(ChildProcess.describe(status)) while starting; last log lines:\n\(process.logTail())")
            }
            if port == nil, let text = try? String(contentsOfFile: portFile, encoding: .utf8) {
                port = UInt16(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if let port {
                do {
                    let response = try HTTPClient.get(SocketEndpoint(address: service.endpoint.address, port: port), path: "/health", timeoutMs: 1000)
                    if response.status == 200 { return port }
                    lastProblem = "/health answered \(response.status)"
                } catch {
                    lastProblem = "/health: \(error)"
                }
            }
            usleep(10_000)
        }
        throw WorkloadController.StartError(description:
            "service \(service.name) (pid \(service.pid)) not healthy within \(options.readyTimeout) s: \(lastProblem); last log lines:\n\(process.logTail())")
    }

    private func checkCancelled() throws {
        if let cancel = options.cancel, cancel.isStopped {
            throw WorkloadController.StartError(description: "startup \(cancel.reason ?? "cancelled")")
        }
    }

    private func childExited(_ name: String, status: Int32) {
        guard !stopping.load(ordering: .relaxed),
              let child = children.withLock({ $0.first { $0.service.name == name } }) else { return }
        let report = "service \(name) (pid \(child.service.pid)) \(ChildProcess.describe(status)); last log lines:\n\(child.process.logTail())"
        logger.error("\(report)")
        serviceExited.stop(reason: report)
    }

    /// Stops every service (SIGTERM, then SIGKILL after 3 s), deletes the network namespaces,
    /// veth pairs and bridge, and the temporary directory. Records stay. Safe to call twice.
    /// Returns teardown problems (empty when everything is gone).
    @discardableResult
    public func stop() -> [String] {
        stopLock.lock()
        defer { stopLock.unlock() }
        guard !stopped else { return [] }
        stopped = true
        stopping.store(true, ordering: .relaxed)
        let children = children.withLock { $0 }  // not held while waiting for exits
        // Callers first, so no request is in flight towards a service already gone.
        for child in children.reversed() where child.process.waitStatus == nil { kill(child.process.pid, SIGTERM) }
        var problems: [String] = []
        for child in children.reversed() {
            child.process.terminate(grace: 3)
            if child.process.waitStatus == nil { problems.append("service \(child.service.name) (pid \(child.process.pid)) did not exit") }
            if let status = child.process.waitStatus, status & 0x7F == 0, (status >> 8) & 0xFF == ServiceMain.recordsLostStatus {
                problems.append("service \(child.service.name) lost records: \(child.process.logTail(1))")
            }
        }
        problems += cgroups?.teardown() ?? []
        problems += network?.teardown() ?? []
        do {
            try FileManager.default.removeItem(atPath: temporaryDirectory)
        } catch {
            problems.append("removing \(temporaryDirectory): \(error)")
        }
        for problem in problems { logger.error("teardown: \(problem)") }
        // With problems left, the ledger stays for `kmon workload cleanup` to retry.
        if problems.isEmpty && ledgerSaved { WorkloadLedger.remove(suffix: suffix) }
        return problems
    }

    deinit {
        stop()
    }
}
