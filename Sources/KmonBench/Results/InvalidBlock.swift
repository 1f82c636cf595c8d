/// A block whose numbers were dropped, and why (a service died, the load generator failed);
/// results.json's key `variant` holds the arm's name.
public struct InvalidBlock: Codable, Sendable, Equatable {
    public var phase: String
    public var block: Int
    public var arm: String
    public var reason: InvalidReason

    public init(phase: String, block: Int, arm: String, reason: InvalidReason) {
        self.phase = phase
        self.block = block
        self.arm = arm
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case phase, block, arm = "variant", reason }
}
