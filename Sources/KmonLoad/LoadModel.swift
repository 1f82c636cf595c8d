/// How requests are paced.
public enum LoadModel: Sendable, Equatable, CustomStringConvertible {
    /// wrk2-style open loop: requests have intended send times at `rate` per second in total,
    /// evenly spaced, or as a Poisson process when `poisson` is true. A request that cannot go
    /// out on time is sent late and its latency still counts from its intended time.
    case openLoop(rate: Double, poisson: Bool)
    /// Saturation: each connection sends its next request as soon as the previous response is in.
    case closedLoop

    public var description: String {
        switch self {
        case let .openLoop(rate, poisson): return "open loop at \(rate) req/s\(poisson ? " (Poisson)" : "")"
        case .closedLoop: return "closed loop (max rate)"
        }
    }

    public var offeredRate: Double? {
        if case let .openLoop(rate, _) = self { return rate }
        return nil
    }
}

/// How requests use their TCP connections.
public enum LoadScenario: Sendable, Equatable, CustomStringConvertible {
    /// Persistent HTTP/1.1 connections, one request in flight on each.
    case keepAlive
    /// `Connection: close`: a new TCP connection per request, so every ordinal is 0.
    case connectionClose
    /// Up to `depth` requests in flight per connection, written back to back.
    case pipelined(depth: Int)
    /// Reads each response `chunkBytes` at a time, pausing `pauseMicros` between reads, so the
    /// server sees a slow client and responses arrive in pieces.
    case slowReader(chunkBytes: Int, pauseMicros: Int)

    public static let slowReader = LoadScenario.slowReader(chunkBytes: 64, pauseMicros: 500)

    /// Parses the CLI spelling: `keepalive`, `close`, `pipelined:K`, `slow-reader`.
    public init?(argument: String) {
        switch argument {
        case "keepalive", "keep-alive": self = .keepAlive
        case "close": self = .connectionClose
        case "slow-reader": self = .slowReader
        default:
            guard argument.hasPrefix("pipelined:"), let depth = Int(argument.dropFirst("pipelined:".count)),
                  depth >= 1, depth <= 1024 else { return nil }
            self = .pipelined(depth: depth)
        }
    }

    public var description: String {
        switch self {
        case .keepAlive: return "keepalive"
        case .connectionClose: return "close"
        case let .pipelined(depth): return "pipelined:\(depth)"
        case .slowReader: return "slow-reader"
        }
    }

    var depth: Int {
        if case let .pipelined(depth) = self { return depth }
        return 1
    }
}
