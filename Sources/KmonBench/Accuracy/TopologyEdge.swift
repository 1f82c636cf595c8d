/// A directed call edge between two services (or from the external `client` to the ingress).
public struct TopologyEdge: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    public var description: String { "\(from)→\(to)" }

    public static func < (a: TopologyEdge, b: TopologyEdge) -> Bool { (a.from, a.to) < (b.from, b.to) }
}
