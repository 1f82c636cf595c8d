import KmonSystem

/// Requests per HTTP status class: what `kmon monitor --json` gives per service and per edge.
/// Every request is in exactly one class, so the six counts sum to the requests; `none` holds
/// those without a status line (not HTTP, a variant or mode that reads no status, no response).
public struct StatusClassCounts: Sendable, Equatable, Codable {
    public var informational: UInt64 = 0
    public var success: UInt64 = 0
    public var redirection: UInt64 = 0
    public var clientError: UInt64 = 0
    public var serverError: UInt64 = 0
    public var none: UInt64 = 0

    public init() {}

    public subscript(_ statusClass: HTTPStatusClass) -> UInt64 {
        get {
            switch statusClass {
            case .informational: return informational
            case .success: return success
            case .redirection: return redirection
            case .clientError: return clientError
            case .serverError: return serverError
            case .none: return none
            }
        }
        set {
            switch statusClass {
            case .informational: informational = newValue
            case .success: success = newValue
            case .redirection: redirection = newValue
            case .clientError: clientError = newValue
            case .serverError: serverError = newValue
            case .none: none = newValue
            }
        }
    }

    public var total: UInt64 { HTTPStatusClass.allCases.reduce(0) { $0 &+ self[$1] } }

    /// Requests that carried a status line.
    public var withStatus: UInt64 { total &- none }

    public mutating func merge(_ other: StatusClassCounts) {
        for statusClass in HTTPStatusClass.allCases { self[statusClass] &+= other[statusClass] }
    }

    /// The JSON keys are the classes' own labels, as the exporters write them.
    enum CodingKeys: String, CodingKey {
        case informational = "1xx", success = "2xx", redirection = "3xx", clientError = "4xx", serverError = "5xx", none
    }
}
