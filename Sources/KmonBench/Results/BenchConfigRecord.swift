import KmonSupport

/// The settings the run used, so it can be repeated (the seed fixes block order and bootstrap).
/// results.json stores the run lengths flat, `blocks`, `phase_s`, … beside `workload`: the record
/// is its own fields and its lengths, written side by side. Fields read as the record's own
/// (`config.seed`).
@dynamicMemberLookup
public struct BenchConfigRecord: Codable, FlatEncodable, Sendable {
    public struct Fields: Codable, Sendable {
        public var workload: String
        public var network: String
        public var arms: [String]
        /// Percent of the baseline's knee.
        public var loads: [Double]
        public var seed: UInt64
        public var quick: Bool
        public var command: String
        /// Objects reloaded every this many blocks (0 never), and whether noisy phases were
        /// dropped; nil (null) in files from before they existed.
        @ExplicitNull public var reloadEvery: Int? = nil
        @ExplicitNull public var dropNoisy: Bool? = nil

        enum CodingKeys: String, CodingKey {
            case workload, network, arms, loads, seed, quick, command
            case reloadEvery = "reload_every", dropNoisy = "drop_noisy"
        }
    }

    public var fields: Fields
    public var lengths: RunLengths

    public init(workload: String, network: String, arms: [String], loads: [Double], lengths: RunLengths,
                seed: UInt64, quick: Bool, command: String) {
        fields = Fields(workload: workload, network: network, arms: arms, loads: loads, seed: seed, quick: quick, command: command)
        self.lengths = lengths
    }

    public subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        get { fields[keyPath: field] }
        set { fields[keyPath: field] = newValue }
    }

    public init(from decoder: Decoder) throws {
        fields = try Fields(from: decoder)
        lengths = try RunLengths(from: decoder)
    }

    public var flatParts: [any Encodable] { [fields, lengths] }
}
