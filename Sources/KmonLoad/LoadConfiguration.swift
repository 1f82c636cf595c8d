import KmonHTTP
import KmonSupport

/// Everything one load run needs. Times are in seconds at this boundary; the engine works in
/// CLOCK_MONOTONIC nanoseconds.
public struct LoadConfiguration: Sendable {
    public var target: LoadTarget
    /// The methods sent and a POST's body; GET only by default.
    public var requests: RequestMix
    /// TCP connections (for `.connectionClose`, concurrent request slots), spread over `threads`.
    public var connections: Int
    public var threads: Int
    public var model: LoadModel
    public var scenario: LoadScenario
    /// Measured time after the warm-up.
    public var duration: Double
    /// Requests intended before warm-up ends are sent and recorded (flag `warmUp`) but left out
    /// of the summary.
    public var warmUp: Double
    /// A request with no complete response this long after its send start is a timeout.
    public var requestTimeout: Double
    /// After the deadline, how long in-flight requests may still finish; the rest are recorded
    /// as incomplete errors.
    public var drainTimeout: Double
    /// Where to write the ground-truth records (see `GroundTruthFile`); nil keeps them in memory only.
    public var recordsPath: String?
    /// Open loop: a send is awaited by polling when it is due within this many nanoseconds, and
    /// by sleeping in epoll before that, so sends leave on time without burning a core at low rates.
    public var spinNanoseconds: UInt64
    /// 10 µs: a send is then about 1 µs late at the median, and the generator leaves the cores to
    /// the services. At 100 µs it polled most of each 128 µs gap at 7,800 req/s, 0.74 of a core on
    /// a 2-core machine, and the services' p99 rose (docs/load.md, "Timing").
    public static let defaultSpinNanoseconds: UInt64 = 10_000
    /// Run the worker threads under SCHED_FIFO at this priority (1–99; needs root or
    /// CAP_SYS_NICE), so a timer expiry preempts whatever else runs on the core and sends leave
    /// on time on a busy machine. The kernel's RT throttling still leaves others 5% of each core.
    public var realtimePriority: Int32?
    /// Seeds the Poisson schedules, so a run can be repeated.
    public var seed: UInt64
    /// Stops the run early (SIGINT); records gathered so far are kept and written.
    public var stop: StopToken

    public init(
        target: LoadTarget, connections: Int, threads: Int = 1, model: LoadModel,
        scenario: LoadScenario = .keepAlive, duration: Double, warmUp: Double = 0,
        requestTimeout: Double = 5, drainTimeout: Double = 1, recordsPath: String? = nil,
        spinNanoseconds: UInt64 = LoadConfiguration.defaultSpinNanoseconds, realtimePriority: Int32? = nil, seed: UInt64 = 0x6B6D_6F6E, stop: StopToken = StopToken(),
        requests: RequestMix = .getOnly
    ) {
        self.target = target
        self.requests = requests
        self.connections = connections
        self.threads = threads
        self.model = model
        self.scenario = scenario
        self.duration = duration
        self.warmUp = warmUp
        self.requestTimeout = requestTimeout
        self.drainTimeout = drainTimeout
        self.recordsPath = recordsPath
        self.spinNanoseconds = spinNanoseconds
        self.realtimePriority = realtimePriority
        self.seed = seed
        self.stop = stop
    }

    /// Connections one generator opens: each is a socket, and its in-flight slots (up to
    /// `pipelined:1024` each) are allocated up front.
    public static let connectionRange = AcceptedRange(1...10_000, unit: "connections")

    /// Bytes of request buffers a run may hold: 256 MiB.
    public static let requestBufferLimit = 256 << 20

    /// What a message calls each setting: the configuration's own words by default; `kmon load`
    /// passes its flags, so one check serves the library and the command line.
    public struct SettingNames: Sendable {
        public var connections = "connections", threads = "threads", duration = "duration", warmUp = "warm-up"
        public var requestTimeout = "request timeout", rate = "rate"

        public init() {}
    }

    /// Throws a sentence naming the first bad setting.
    public func validate() throws {
        try validateSettings()
        try checkRequestBuffers()
    }

    /// Each setting in its range, and the threads no more than the connections.
    public func validateSettings(naming names: SettingNames = SettingNames()) throws {
        func bad(_ why: String) -> LoadError { .invalidConfiguration(why) }
        do {
            try Self.connectionRange.check(connections, names.connections)
            try AcceptedRange.positiveSeconds.check(duration, names.duration)
            try AcceptedRange.seconds(from: 0).check(warmUp, names.warmUp)
            try AcceptedRange.positiveSeconds.check(requestTimeout, names.requestTimeout)
            try AcceptedRange.seconds(from: 0).check(drainTimeout, "drain timeout")
            if case let .openLoop(rate, _) = model { try AcceptedRange.requestsPerSecond.check(rate, names.rate) }
        } catch let error as OutOfRangeError {
            throw bad(error.description)
        }
        guard threads >= 1 else { throw bad("\(names.threads) must be at least 1 (got \(threads))") }
        guard threads <= connections else {
            throw bad("\(names.threads) (\(threads)) must not exceed \(names.connections) (\(connections)): each thread needs a connection")
        }
        if let priority = realtimePriority, !(1...99).contains(priority) {
            throw bad("real-time priority must be from 1 to 99 (got \(priority))")
        }
        if case let .pipelined(depth) = scenario, depth < 1 {
            throw bad("pipeline depth must be at least 1 (got \(depth))")
        }
        if case let .slowReader(chunk, pause) = scenario, chunk < 1 || pause < 0 {
            throw bad("slow reader needs a chunk of at least 1 byte and a pause of zero or more µs")
        }
    }

    /// Request bytes are held per in-flight place: `depth` per thread for one method, per
    /// connection for a mix. Bounded, so big bodies times deep pipelines cannot exhaust memory.
    func checkRequestBuffers() throws {
        let request = requests.bodyBytes + target.path.utf8.count + target.hostHeader.utf8.count + 128
        let places = scenario.depth * (requests.single == nil ? connections : threads)
        if request * places > Self.requestBufferLimit {
            throw LoadError.invalidConfiguration(
                "\(places) in-flight requests of up to \(request) bytes need \(request * places >> 20) MiB of request buffers, "
                + "more than \(Self.requestBufferLimit >> 20) MiB: lower the body size, the pipeline depth or the connections")
        }
    }
}
