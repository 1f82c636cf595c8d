/// The settings the run used, so it can be repeated (the seed fixes block order and bootstrap).
public struct BenchConfigRecord: Codable, Sendable {
    public var workload: String
    public var network: String
    public var arms: [String]
    /// Percent of the baseline's knee.
    public var loads: [Double]
    /// Stored flat: `blocks`, `phase_s`, … stand beside `workload` in results.json.
    public var lengths: RunLengths
    public var seed: UInt64
    public var quick: Bool
    public var command: String
    /// Objects reloaded every this many blocks (0 never), and whether noisy phases were dropped;
    /// nil in files from before they existed.
    public var reloadEvery: Int?
    public var dropNoisy: Bool?

    public init(workload: String, network: String, arms: [String], loads: [Double], lengths: RunLengths,
                seed: UInt64, quick: Bool, command: String) {
        self.workload = workload
        self.network = network
        self.arms = arms
        self.loads = loads
        self.lengths = lengths
        self.seed = seed
        self.quick = quick
        self.command = command
    }

    enum CodingKeys: String, CodingKey {
        case workload, network, arms, loads, seed, quick, command
        case reloadEvery = "reload_every", dropNoisy = "drop_noisy"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(workload: try c.decode(String.self, forKey: .workload), network: try c.decode(String.self, forKey: .network),
                  arms: try c.decode([String].self, forKey: .arms), loads: try c.decode([Double].self, forKey: .loads),
                  lengths: try RunLengths(from: decoder), seed: try c.decode(UInt64.self, forKey: .seed),
                  quick: try c.decode(Bool.self, forKey: .quick), command: try c.decode(String.self, forKey: .command))
        reloadEvery = try c.decodeIfPresent(Int.self, forKey: .reloadEvery)
        dropNoisy = try c.decodeIfPresent(Bool.self, forKey: .dropNoisy)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workload, forKey: .workload)
        try c.encode(network, forKey: .network)
        try c.encode(arms, forKey: .arms)
        try c.encode(loads, forKey: .loads)
        try lengths.encode(to: encoder)
        try c.encode(seed, forKey: .seed)
        try c.encode(quick, forKey: .quick)
        try c.encode(command, forKey: .command)
        try c.encode(reloadEvery, forKey: .reloadEvery)
        try c.encode(dropNoisy, forKey: .dropNoisy)
    }
}
