
/// The probe's topology scored against the workload spec and the ground-truth request counts.
public struct TopologyScore: Sendable, Equatable {
    /// Observed edges that the spec has, over all observed edges; nil when nothing was observed.
    public var precision: Double?
    /// Spec edges that were observed, over all spec edges.
    public var recall: Double?
    /// The largest |observed − truth| / truth request count over the spec's edges, percent; an
    /// edge the probe missed counts as 100%.
    public var edgeCountErrorPercent: Double?
    public var edges: [Edge]

    public struct Edge: Sendable, Equatable {
        public var edge: TopologyEdge
        public var inSpec: Bool
        public var truthRequests: Int?
        public var observedRequests: Int?
    }

    /// `expected` maps each spec edge to its ground-truth request count (nil if unknown);
    /// `observed` maps each edge the probe reported to its request count.
    public static func score(expected: [TopologyEdge: Int?], observed: [TopologyEdge: Int]) -> TopologyScore {
        let specEdges = Set(expected.keys), seen = Set(observed.keys)
        let common = specEdges.intersection(seen)
        var worst: Double?
        for edge in specEdges {
            guard let truth = expected[edge] ?? nil, truth > 0 else { continue }
            let error = Double(abs((observed[edge] ?? 0) - truth)) / Double(truth) * 100
            worst = max(worst ?? 0, error)
        }
        let edges = specEdges.union(seen).sorted().map {
            Edge(edge: $0, inSpec: specEdges.contains($0), truthRequests: expected[$0] ?? nil, observedRequests: observed[$0])
        }
        return TopologyScore(
            precision: seen.isEmpty ? nil : Double(common.count) / Double(seen.count),
            recall: specEdges.isEmpty ? nil : Double(common.count) / Double(specEdges.count),
            edgeCountErrorPercent: worst,
            edges: edges)
    }
}
