/// What one request/response carried at the HTTP/1.x level: the request's method and the
/// response's status code. One type for what a probe parsed in the kernel, what a service sent
/// and what the load generator received, so the bench compares them with `==`.
public struct HTTPExchange: Hashable, Sendable, Codable {
    public var method: HTTPMethod
    /// The status code of the response's status line; 0 when none was read.
    public var status: UInt16

    public init(method: HTTPMethod = .unknown, status: UInt16 = 0) {
        self.method = method
        self.status = status
    }

    public var statusClass: HTTPStatusClass { HTTPStatusClass(status: status) }
}

/// A status code's class: the label sinks carry, low cardinality by construction.
public enum HTTPStatusClass: String, Sendable, Hashable, CaseIterable, Codable {
    case informational = "1xx", success = "2xx", redirection = "3xx", clientError = "4xx", serverError = "5xx"
    /// No status line was read (not HTTP, a variant without status, or no response).
    case none = "none"

    public init(status: UInt16) {
        switch status {
        case 100...199: self = .informational
        case 200...299: self = .success
        case 300...399: self = .redirection
        case 400...499: self = .clientError
        case 500...599: self = .serverError
        default: self = .none
        }
    }
}
