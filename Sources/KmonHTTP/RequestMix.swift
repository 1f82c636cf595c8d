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

extension RequestMix {
    /// `kmon load --methods GET:80,POST:20`: method:percent pairs (percent with up to two
    /// decimals) adding up to 100. Returns nil and sets `problem` when the text is not one.
    public static func parse(methods text: String, bodyBytes: Int, problem: inout String) -> RequestMix? {
        var shares: [Share] = []
        var total: UInt32 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let method = HTTPMethod(name: String(parts[0])), servedMethods.contains(method) else {
                problem = "'\(item)' is not GET:PERCENT or POST:PERCENT"
                return nil
            }
            guard let points = basisPoints(String(parts[1])) else {
                problem = "'\(parts[1])' is not a percentage from 0 to 100 with at most two decimals"
                return nil
            }
            guard !shares.contains(where: { $0.method == method }) else {
                problem = "\(method.name) is given twice"
                return nil
            }
            total += points
            if points > 0 { shares.append(Share(method, basisPoints: points)) }
        }
        guard total == whole else {
            problem = "the percentages add up to \(Double(total) / 100), not 100"
            return nil
        }
        return RequestMix(shares: shares, bodyBytes: bodyBytes)
    }

    /// "20", "0.5" or "100" as basis points; nil for anything else.
    static func basisPoints(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              parts[0].count <= 3, let integer = UInt32(parts[0]) else { return nil }
        var fraction: UInt32 = 0
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            fraction = UInt32(parts[1].count == 1 ? parts[1] + "0" : String(parts[1]))!
        }
        let points = integer * 100 + fraction
        return points <= whole ? points : nil
    }
}
