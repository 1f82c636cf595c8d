import KmonSupport

/// An accuracy row's status agreement in results.json: joined spans compared, how many carried
/// the truth's method and status, and the disagreements by (probe, truth) pair, most frequent
/// first. `agreed_pct` is null and `no_status` says why when the variant reads no status.
public struct StatusRecord: Codable, Sendable, Equatable {
    public struct Disagreement: Codable, Sendable, Equatable {
        public var probeMethod: String
        public var probeStatus: UInt16
        public var truthMethod: String
        public var truthStatus: UInt16
        public var count: Int

        enum CodingKeys: String, CodingKey {
            case probeMethod = "probe_method", probeStatus = "probe_status"
            case truthMethod = "truth_method", truthStatus = "truth_status", count
        }
    }

    public var compared: Int
    public var agreed: Int
    @ExplicitNull public var agreedPercent: Double? = nil
    @ExplicitNull public var noStatus: String? = nil
    public var disagreements: [Disagreement]
    public var examples: [String]

    enum CodingKeys: String, CodingKey {
        case compared, agreed, disagreements, examples
        case agreedPercent = "agreed_pct", noStatus = "no_status"
    }

    /// At most this many pairs are listed; the rest are summed into their count.
    static let pairLimit = 10

    public init(_ agreement: StatusAgreement) {
        compared = agreement.compared
        agreed = agreement.agreed
        agreedPercent = agreement.agreedPercent
        noStatus = agreement.noStatusReason
        disagreements = agreement.disagreements
            .sorted { ($1.value, $0.key.truth.status, $0.key.probe.status) < ($0.value, $1.key.truth.status, $1.key.probe.status) }
            .prefix(Self.pairLimit)
            .map { Disagreement(probeMethod: $0.key.probe.method.name, probeStatus: $0.key.probe.status,
                                truthMethod: $0.key.truth.method.name, truthStatus: $0.key.truth.status, count: $0.value) }
        examples = agreement.examples
    }

    /// "GET 200 for GET 500" pairs, for tables.
    public var disagreementText: String {
        disagreements.map { "\($0.count)× \($0.probeMethod) \($0.probeStatus) for \($0.truthMethod) \($0.truthStatus)" }
            .joined(separator: "; ")
    }
}
