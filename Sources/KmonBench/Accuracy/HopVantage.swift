/// A hop seen from one vantage: the key of one accuracy row.
public struct HopVantage: Hashable, Sendable {
    public var hop: TopologyEdge
    public var vantage: Vantage

    public init(hop: TopologyEdge, vantage: Vantage) {
        self.hop = hop
        self.vantage = vantage
    }
}
