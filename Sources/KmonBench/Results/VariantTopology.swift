import KmonSupport

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
