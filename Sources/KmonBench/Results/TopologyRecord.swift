import KmonSupport

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
