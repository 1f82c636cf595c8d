/// Topology accuracy: the headline figures are the worst over the variants that report a
/// topology, so one good variant cannot hide a bad one; `by_variant` has each.
public struct TopologyRecord: Codable, Sendable {
    public var precision: Double?
    public var recall: Double?
    public var edgeCountErrorPercent: Double?
    public var byVariant: [VariantTopology]

    public init(byVariant: [VariantTopology]) {
        self.byVariant = byVariant
        precision = byVariant.compactMap(\.precision).min()
        recall = byVariant.compactMap(\.recall).min()
        edgeCountErrorPercent = byVariant.compactMap(\.edgeCountErrorPercent).max()
    }

    enum CodingKeys: String, CodingKey {
        case precision, recall
        case edgeCountErrorPercent = "edge_count_err_pct", byVariant = "by_variant"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
        try c.encode(edgeCountErrorPercent, forKey: .edgeCountErrorPercent)
        try c.encode(byVariant, forKey: .byVariant)
    }
}

public struct VariantTopology: Codable, Sendable {
    public var variant: String
    public var precision: Double?
    public var recall: Double?
    public var edgeCountErrorPercent: Double?
    public var edges: [EdgeRecord]

    public init(variant: String, score: TopologyScore) {
        self.variant = variant
        precision = score.precision
        recall = score.recall
        edgeCountErrorPercent = score.edgeCountErrorPercent
        edges = score.edges.map {
            EdgeRecord(from: $0.edge.from, to: $0.edge.to, inSpec: $0.inSpec,
                       truthRequests: $0.truthRequests, observedRequests: $0.observedRequests)
        }
    }

    enum CodingKeys: String, CodingKey {
        case variant, precision, recall, edges
        case edgeCountErrorPercent = "edge_count_err_pct"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(variant, forKey: .variant)
        try c.encode(precision, forKey: .precision)
        try c.encode(recall, forKey: .recall)
        try c.encode(edgeCountErrorPercent, forKey: .edgeCountErrorPercent)
        try c.encode(edges, forKey: .edges)
    }
}

public struct EdgeRecord: Codable, Sendable {
    public var from: String
    public var to: String
    public var inSpec: Bool
    public var truthRequests: Int?
    public var observedRequests: Int?

    enum CodingKeys: String, CodingKey {
        case from, to
        case inSpec = "in_spec", truthRequests = "truth_requests", observedRequests = "observed_requests"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(inSpec, forKey: .inSpec)
        try c.encode(truthRequests, forKey: .truthRequests)
        try c.encode(observedRequests, forKey: .observedRequests)
    }
}
