/// What fcount reports under `collectors.fcount`.
public struct FCountReport: CollectorReport, Equatable {
    public struct Count: Codable, Equatable, Sendable {
        public var event: String
        public var count: UInt64
    }

    /// An event that could not be attached here, and why (e.g. kprobes on a kernel without them).
    public struct Unavailable: Codable, Equatable, Sendable {
        public var event: String
        public var reason: String
    }

    public var counts: [Count]
    public var unavailable: [Unavailable]
    public var lost: CollectorLosses
}
