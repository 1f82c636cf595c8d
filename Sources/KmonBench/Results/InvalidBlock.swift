/// A block whose numbers were dropped, and why (a service died, the load generator failed).
public struct InvalidBlock: Codable, Sendable, Equatable {
    public var phase: String
    public var block: Int
    public var variant: String
    public var reason: InvalidReason

    public init(phase: String, block: Int, variant: String, reason: InvalidReason) {
        self.phase = phase
        self.block = block
        self.variant = variant
        self.reason = reason
    }
}
