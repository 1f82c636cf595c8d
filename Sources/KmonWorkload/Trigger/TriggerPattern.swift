/// What one iteration of a `kmon-service --trigger` burst does: the optional third word of a
/// burst line (`N MS PATTERN`). Each pattern shifts the mix of paths the tcpreq send and recv
/// programs take, so that differences between patterns isolate one path's cost
/// (scripts/tcpreq-paths, docs/costs.md "Cost per path").
public enum TriggerPattern: Equatable, Sendable, CustomStringConvertible {
    /// One write and one read each way on the driver's connection: per program per iteration,
    /// one request start (closing the previous span) and one response move. `N MS` alone.
    case plain
    /// The request in K writes, each read whole before the next: K - 1 more runs of each
    /// program that carry request bytes with no span edge.
    case splitRequest(Int)
    /// The response in K writes, each read whole before the next: K - 1 more response moves.
    case splitResponse(Int)
    /// A new connection per iteration (connect, accept, one exchange, abortive close): the
    /// request's first byte is the connection's first data on both sockets.
    case fresh
    /// The server takes the request by splice(2), which the recv hook does not see: the recv
    /// program runs only for response reads, every one a response move.
    case spliceRequest
    /// The client takes the response by splice(2): the recv program runs only for request
    /// reads, every one a request turn (the previous span closes, the next opens).
    case spliceResponse

    /// Most pieces a message may be split into: each piece keeps at least one byte.
    static let maxPieces = 16

    /// `plain`, `req:K`, `resp:K` (K in 1...16), `fresh`, `splice:req` or `splice:resp`; nil for anything else.
    public init?(_ word: Substring) {
        let parts = word.split(separator: ":", omittingEmptySubsequences: false)
        switch (parts.first, parts.count) {
        case ("plain", 1): self = .plain
        case ("fresh", 1): self = .fresh
        case ("splice", 2) where parts[1] == "req": self = .spliceRequest
        case ("splice", 2) where parts[1] == "resp": self = .spliceResponse
        case ("req", 2), ("resp", 2):
            guard let pieces = Int(parts[1]), (1...Self.maxPieces).contains(pieces) else { return nil }
            self = parts[0] == "req" ? .splitRequest(pieces) : .splitResponse(pieces)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .plain: return "plain"
        case .splitRequest(let pieces): return "req:\(pieces)"
        case .splitResponse(let pieces): return "resp:\(pieces)"
        case .fresh: return "fresh"
        case .spliceRequest: return "splice:req"
        case .spliceResponse: return "splice:resp"
        }
    }

    /// Writes per message, request and response.
    var requestPieces: Int { if case .splitRequest(let pieces) = self { return pieces } else { return 1 } }
    var responsePieces: Int { if case .splitResponse(let pieces) = self { return pieces } else { return 1 } }
}

/// The data calls a burst made that moved bytes: what the send and recv hooks see from the
/// driver. The patterned reply reports them, so a reader can tell its own runs from strays.
public struct TriggerCounts: Equatable, Sendable {
    public var sends = 0
    public var receives = 0
    /// Connections opened (fresh).
    public var connections = 0
}
