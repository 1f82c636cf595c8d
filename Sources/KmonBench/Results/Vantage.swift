/// Where the truth for an accuracy row comes from.
public enum Vantage: String, Codable, Sendable, CaseIterable {
    /// The caller's record of the request: the load generator for the ingress hop, the calling
    /// service's downstream-call record for internal hops.
    case client
    /// The callee's handler entry and exit.
    case server
    /// Packet timestamps (the skb variant) against the caller's record.
    case wire
}
