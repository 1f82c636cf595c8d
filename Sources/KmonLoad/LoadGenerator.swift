import Foundation
import Glibc
import KmonHTTP
import KmonSupport
import KmonSystem

/// The load generator the CLI (`kmon load`) and the bench drive.
///
/// ```swift
/// let generator = LoadGenerator(LoadConfiguration(
///     target: try LoadTarget(url: "http://127.0.0.1:8080/"), connections: 32, threads: 1,
///     model: .openLoop(rate: 20_000, poisson: false), duration: 10, warmUp: 1,
///     recordsPath: "truth.kgt"))
/// let summary = try generator.run()      // blocks until the deadline (or the StopToken)
/// let truth = generator.records          // every request, warm-up included
/// ```
///
/// `run()` checks the configuration, connects every keep-alive connection (a server that
/// refuses is a `LoadError.unreachable` before any load), starts `threads` worker threads at a
/// common instant, and after the deadline and drain writes the records file (when asked) even
/// if requests failed. A run can be made once per generator.
public final class LoadGenerator {
    public let configuration: LoadConfiguration
    /// Every request of the run, warm-up included, grouped by worker thread.
    public private(set) var records: [GroundTruthRecord] = []
    /// When the schedule started, and the measured window (after warm-up), CLOCK_MONOTONIC ns.
    public private(set) var startNs: UInt64 = 0
    public private(set) var measureStartNs: UInt64 = 0
    public private(set) var measureEndNs: UInt64 = 0

    public init(_ configuration: LoadConfiguration) {
        self.configuration = configuration
    }

    public func run() throws -> LoadSummary {
        let c = configuration
        try c.validate()
        if let priority = c.realtimePriority { try Self.checkRealtime(priority) }
        if case .connectionClose = c.scenario {
            let code = try TCPSocket.reachability(of: c.target.endpoint, timeoutMs: 2000)
            guard code == 0 else { throw LoadError.unreachable(c.target.description, errno: code) }
        }
        let request = LoadRequests(mix: c.requests, target: c.target, close: c.scenario == .connectionClose)

        // Connecting takes time; the schedule starts once every worker is connected.
        let setupSlack: UInt64 = 20_000_000
        var workers: [LoadWorker] = []
        var start = MonotonicClock.now() + setupSlack
        for t in 0..<c.threads {
            let indices = Array(stride(from: t, to: c.connections, by: c.threads))
            workers.append(try LoadWorker(configuration: c, thread: t, slotIndices: indices, startNs: start, requests: request))
        }
        let now = MonotonicClock.now()
        if now + 1_000_000 > start {
            // Setup overran the slack: restart the schedule, rebuilding the workers' timelines.
            start = now + setupSlack
            workers = try (0..<c.threads).map { t in
                try LoadWorker(configuration: c, thread: t, slotIndices: Array(stride(from: t, to: c.connections, by: c.threads)),
                               startNs: start, requests: request)
            }
        }
        startNs = start
        measureStartNs = start + UInt64(saturating: c.warmUp * 1e9)

        let done = DispatchGroup()
        for (t, worker) in workers.enumerated() {
            done.enter()
            let thread = Thread {
                worker.run()
                done.leave()
            }
            thread.name = "kmon-load-\(t)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        done.wait()

        let stoppedAt = MonotonicClock.now()
        measureEndNs = min(measureStartNs + UInt64(saturating: c.duration * 1e9), max(stoppedAt, measureStartNs))
        if c.stop.isStopped { measureEndNs = min(measureEndNs, stoppedAt) }
        records = workers.flatMap { $0.records.allRecords() }
        let unsent = workers.reduce(0) { $0 + $1.unsent }
        if let path = c.recordsPath { try GroundTruthFile.write(records, to: path) }
        return LoadSummary(records: records, measureStartNs: measureStartNs, measureEndNs: measureEndNs,
                           offeredRPS: c.model.offeredRate, unsent: unsent)
    }

    /// Fails early, with the reason, when SCHED_FIFO is not allowed; leaves this thread as it was.
    static func checkRealtime(_ priority: Int32) throws {
        let policy = sched_getscheduler(0)
        var old = sched_param()
        sched_getparam(0, &old)
        var param = sched_param(sched_priority: priority)
        guard sched_setscheduler(0, SCHED_FIFO, &param) == 0 else {
            throw LoadError.invalidConfiguration("real-time scheduling (SCHED_FIFO \(priority)) refused: \(SystemCallError("sched_setscheduler").reason); run as root or with CAP_SYS_NICE, or drop --realtime")
        }
        sched_setscheduler(0, policy, &old)
    }

    /// The request every connection sends without a mix: the same bytes as wrk's default GET.
    static func requestBytes(for target: LoadTarget, close: Bool) -> [UInt8] {
        RequestMix.getOnly.request(.get, path: target.path, host: target.hostHeader, close: close)
    }
}

/// Each method's request bytes for one run, indexed by the method's raw value.
struct LoadRequests {
    let mix: RequestMix
    let bytes: [[UInt8]]
    /// The longest request: a connection's room per in-flight request when the mix varies.
    let longest: Int

    init(mix: RequestMix, target: LoadTarget, close: Bool) {
        self.mix = mix
        var bytes = [[UInt8]](repeating: [], count: Int(HTTPMethod.other.rawValue) + 1)
        for share in mix.shares {
            bytes[Int(share.method.rawValue)] = mix.request(share.method, path: target.path, host: target.hostHeader, close: close)
        }
        self.bytes = bytes
        longest = bytes.map(\.count).max() ?? 0
    }
}
