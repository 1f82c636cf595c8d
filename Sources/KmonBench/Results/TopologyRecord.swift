/// Topology accuracy: the headline figures are the worst over the variants that report a
/// topology, so one good variant cannot hide a bad one; `by_variant` has each.
public struct TopologyRecord: Codable, Sendable {
    @ExplicitNull public var precision: Double? = nil
    @ExplicitNull public var recall: Double? = nil
    @ExplicitNull public var edgeCountErrorPercent: Double? = nil
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
}

public struct VariantTopology: Codable, Sendable {
    public var variant: String
    @ExplicitNull public var precision: Double? = nil
    @ExplicitNull public var recall: Double? = nil
    @ExplicitNull public var edgeCountErrorPercent: Double? = nil
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
}

public struct EdgeRecord: Codable, Sendable {
    public var from: String
    public var to: String
    public var inSpec: Bool
    @ExplicitNull public var truthRequests: Int? = nil
    @ExplicitNull public var observedRequests: Int? = nil

    enum CodingKeys: String, CodingKey {
        case from, to
        case inSpec = "in_spec", truthRequests = "truth_requests", observedRequests = "observed_requests"
    }
}
