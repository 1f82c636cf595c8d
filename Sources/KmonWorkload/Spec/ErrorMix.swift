import KmonSupport

/// Statuses a service answers on purpose instead of doing its work, each with its share of the
/// requests in basis points (1/100 of a percent; together at most 100%). Which requests fail is
/// drawn from the request id with a generator seeded by the service's name, so a run repeats.
public struct ErrorMix: Sendable, Equatable {
    public struct Share: Sendable, Equatable {
        public var status: UInt16
        public var basisPoints: UInt32
        public init(status: UInt16, basisPoints: UInt32) {
            self.status = status
            self.basisPoints = basisPoints
        }
    }

    /// 300 to 599 but 304: a 1xx is not a final answer, a 2xx is no error, and a 304 may not
    /// carry the body the answer has.
    public static let statuses: ClosedRange<UInt16> = 300...599
    public static let forbidden: Set<UInt16> = [304]

    public var shares: [Share]

    public init(shares: [Share] = []) {
        self.shares = shares
    }

    public var isEmpty: Bool { shares.isEmpty }

    /// The status to answer for this draw, or nil to serve the request.
    public func status(draw: UInt64) -> UInt16? {
        var point = UInt32(draw % 10_000)
        for share in shares {
            if point < share.basisPoints { return share.status }
            point -= share.basisPoints
        }
        return nil
    }

    /// A uniform draw per (seed, request id, stream), the same on every run.
    public static func draw(seed: UInt64, requestID: UInt64, stream: UInt64 = 0) -> UInt64 {
        var generator = SeededGenerator(seed: seed ^ (requestID &* 0x9E37_79B9_7F4A_7C15) ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return generator.next()
    }

    /// FNV-1a of the service's name: each service its own stream of draws.
    public static func seed(service: String) -> UInt64 {
        service.utf8.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
