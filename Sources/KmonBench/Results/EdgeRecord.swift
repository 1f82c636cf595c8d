import KmonSupport

public struct EdgeRecord: Codable, Sendable {
    public var from: String
    public var to: String
    public var inSpec: Bool
    @ExplicitNull public var truthRequests: Int? = nil
    @ExplicitNull public var observedRequests: Int? = nil

    enum CodingKeys: String, CodingKey {
        case from, to
        case inSpec = "in_spec", truthRequests = "truth_requests", observedRequests = "observed_requests"
    }
}
