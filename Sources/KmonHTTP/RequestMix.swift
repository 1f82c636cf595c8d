import KmonSystem

/// The requests one caller sends: a method mix (shares in basis points, 1/100 of a percent,
/// summing to 100%) and the body each POST carries. The load generator's requests to the
/// ingress and each service's downstream calls use it, so both speak the same bytes.
public struct RequestMix: Sendable, Equatable {
    /// The methods the sample services serve on their work route; anything else gets 405.
    public static let servedMethods: [HTTPMethod] = [.get, .post]
    /// Shares are whole basis points: 10,000 is 100%.
    public static let whole: UInt32 = 10_000

    public struct Share: Sendable, Equatable {
        public var method: HTTPMethod
        public var basisPoints: UInt32
        public init(_ method: HTTPMethod, basisPoints: UInt32) {
            self.method = method
            self.basisPoints = basisPoints
        }
    }

    /// In the order given; together exactly `whole`.
    public var shares: [Share]
    /// Bytes of the body a POST carries (a GET carries none).
    public var bodyBytes: Int

    public init(shares: [Share], bodyBytes: Int = 0) {
        self.shares = shares
        self.bodyBytes = bodyBytes
    }

    /// Every request a GET without a body: what callers sent before mixes existed.
    public static let getOnly = RequestMix(shares: [Share(.get, basisPoints: whole)])

    /// The only method, when the mix has one: no draw is needed.
    public var single: HTTPMethod? { shares.count == 1 ? shares[0].method : nil }

    /// The method for a uniform 64-bit draw: the share its residue modulo 10,000 falls in.
    public func method(draw: UInt64) -> HTTPMethod {
        var point = UInt32(draw % UInt64(Self.whole))
        for share in shares {
            if point < share.basisPoints { return share.method }
            point -= share.basisPoints
        }
        return shares.last?.method ?? .get
    }

    /// The request's bytes: request line, Host, Content-Length and a body for POST, and
    /// `Connection: close` when asked. The body is a fixed filler, never anything secret.
    public func request(_ method: HTTPMethod, path: String = "/", host: String, close: Bool = false) -> [UInt8] {
        var text = "\(method.name) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        let body = method == .post ? bodyBytes : 0
        if method == .post { text += "Content-Type: application/octet-stream\r\nContent-Length: \(body)\r\n" }
        if close { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8) + [UInt8](repeating: 0x78, count: body)
    }
}
