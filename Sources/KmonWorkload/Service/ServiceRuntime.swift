import Glibc
import KmonSupport
import KmonSystem
import Synchronization

/// What one service does for a request on "/": the spec's work, then its call steps over
/// pooled connections. Shared by all connection threads.
public final class ServiceRuntime: @unchecked Sendable {
    public let service: ServiceSpec
    let responses: CannedResponses
    let records: ServiceRecordWriter?
    private let steps: [[(pool: DownstreamPool, callIndex: UInt16)]]
    private let nextRequestID = Atomic<UInt64>(1)
    /// Connections between reading a request and recording its answer: shutdown waits for
    /// them, so a request answered just before SIGTERM is still in the records.
    let requestsInFlight = Atomic<Int>(0)

    /// `peers` gives each callee's address; a callee without one is an error.
    public init(service: ServiceSpec, peers: [String: SocketEndpoint], records: ServiceRecordWriter?, callTimeoutMs: Int = 10_000) throws {
        self.service = service
        self.records = records
        responses = CannedResponses(service: service.name, responseBytes: service.work.responseBytes)
        var pools: [String: DownstreamPool] = [:]
        var index: UInt16 = 0
        var steps: [[(pool: DownstreamPool, callIndex: UInt16)]] = []
        for step in service.calls {
            var calls: [(pool: DownstreamPool, callIndex: UInt16)] = []
            for callee in step.services {
                guard let endpoint = peers[callee] else {
                    throw ServiceArgumentsError("service \(service.name) calls \(callee), but no --peer \(callee)=ADDR:PORT was given")
                }
                let pool = pools[callee] ?? DownstreamPool(service: callee, endpoint: endpoint, timeoutMs: callTimeoutMs)
                pools[callee] = pool
                calls.append((pool, index))
                index += 1
            }
            steps.append(calls)
        }
        self.steps = steps
    }

    /// Waits until no request is between read and record, or `seconds` pass.
    public func waitUntilIdle(seconds: Double) {
        let deadline = MonotonicClock.now() + UInt64(saturating: seconds * 1e9)
        while requestsInFlight.load(ordering: .acquiring) > 0 && MonotonicClock.now() < deadline {
            usleep(1000)
        }
    }

    func newRequestID() -> UInt64 {
        nextRequestID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Does the work and the calls. Returns nil on success, else why the answer is 502.
    func serve(requestID: UInt64, records: RecordBuffer?) -> String? {
        if service.work.cpuMicros > 0 {
            let until = MonotonicClock.now() + UInt64(service.work.cpuMicros) * 1000
            while MonotonicClock.now() < until {}
        }
        if service.work.sleepMicros > 0 {
            var request = timespec(tv_sec: service.work.sleepMicros / 1_000_000, tv_nsec: (service.work.sleepMicros % 1_000_000) * 1000)
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        }
        let caller = DownstreamCaller(records: records)
        for step in steps {
            if let failure = caller.run(step, parentRequestID: requestID) { return failure }
        }
        return nil
    }
}
