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
    /// Seeds the draws of errors and call methods: the same per service on every run.
    private let errorSeed: UInt64
    /// Connections between reading a request and recording its answer: shutdown waits for
    /// them, so a request answered just before SIGTERM is still in the records.
    let requestsInFlight = Atomic<Int>(0)

    /// `peers` gives each callee's address; a callee without one is an error.
    public init(service: ServiceSpec, peers: [String: SocketEndpoint], records: ServiceRecordWriter?, callTimeoutMs: Int = 10_000) throws {
        self.service = service
        self.records = records
        errorSeed = ErrorMix.seed(service: service.name)
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
                let pool = pools[callee] ?? DownstreamPool(service: callee, endpoint: endpoint, timeoutMs: callTimeoutMs, mix: service.requests)
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

    /// What serving a request on "/" came to.
    enum Outcome {
        case ok
        /// The spec's `errors` drew this status: the work and calls were skipped.
        case injected(UInt16)
        /// A downstream call failed or answered other than 2xx: why the answer is 502.
        case callFailed(String)
    }

    /// Draws the spec's error mix, then does the work and the calls.
    func serve(requestID: UInt64, records: RecordBuffer?) -> Outcome {
        if !service.errors.isEmpty,
           let status = service.errors.status(draw: ErrorMix.draw(seed: errorSeed, requestID: requestID)) {
            return .injected(status)
        }
        if service.work.cpuMicros > 0 {
            let until = MonotonicClock.now() + UInt64(service.work.cpuMicros) * 1000
            while MonotonicClock.now() < until {}
        }
        if service.work.sleepMicros > 0 {
            var request = timespec(tv_sec: service.work.sleepMicros / 1_000_000, tv_nsec: (service.work.sleepMicros % 1_000_000) * 1000)
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
        }
        let caller = DownstreamCaller(records: records, mix: service.requests, seed: errorSeed)
        for step in steps {
            if let failure = caller.run(step, parentRequestID: requestID) { return .callFailed(failure) }
        }
        return .ok
    }
}
