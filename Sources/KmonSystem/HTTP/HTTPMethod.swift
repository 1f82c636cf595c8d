/// An HTTP/1.x request method, as a service parses it, a client sends it, or a probe reads it in
/// the kernel. The raw values are the kernel's codes (`TCPREQ_HTTP_*` in bpf/include/tcpreq.h),
/// so a span's byte decodes straight into this type.
public enum HTTPMethod: UInt8, Sendable, Hashable, CaseIterable, Codable {
    /// Nothing was read: the variant cannot see the bytes, or the read failed.
    case unknown = 0
    case get, head, post, put, delete, options, patch, connect, trace
    /// A method token that is none of the above (a service answers it with 405).
    case other
    /// Bytes were read, and they do not start an HTTP/1.x request.
    case notHTTP = 255

    /// The token as written on the request line, or a lowercase word for what is not one.
    public var name: String {
        switch self {
        case .unknown: return "unknown"
        case .get: return "GET"
        case .head: return "HEAD"
        case .post: return "POST"
        case .put: return "PUT"
        case .delete: return "DELETE"
        case .options: return "OPTIONS"
        case .patch: return "PATCH"
        case .connect: return "CONNECT"
        case .trace: return "TRACE"
        case .other: return "other"
        case .notHTTP: return "not_http"
        }
    }

    /// The inverse of `name`, for specs and flags ("GET", "post"); nil for anything else.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.name.uppercased() == name.uppercased() }) else { return nil }
        self = found
    }
}
