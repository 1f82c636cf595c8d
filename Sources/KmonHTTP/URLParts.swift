/// A URL split into the parts Kmon's users give: `SCHEME://[USERINFO@]HOST[:PORT][/PATH][?QUERY]`,
/// each as written. It only splits: what a part may hold is for its user to check, with its own
/// words (`LoadTarget` takes plain http:// to an IPv4 host, a sink's `HTTPEndpoint` takes https too
/// and refuses credentials).
public struct URLParts: Equatable, Sendable {
    /// As written ("http", "HTTPS"); compare as the user needs.
    public var scheme: String
    /// Everything between "://" and the path: the Host header's value.
    public var authority: String
    /// What comes before an "@" in the authority; nil when there is none.
    public var userInfo: String?
    /// The host, without the brackets of an IPv6 literal; "" when missing.
    public var host: String
    /// The host was written in brackets ("[::1]").
    public var isIPv6Literal: Bool
    /// The text after the host's ":"; nil without a colon, and not checked to be a number.
    public var port: String?
    /// Everything after the authority: path, query and fragment ("" when none).
    public var target: String

    /// Splits `url`; nil when it has no "SCHEME://".
    public init?(_ url: String) {
        guard let separator = url.firstRange(of: "://"), separator.lowerBound > url.startIndex else { return nil }
        scheme = String(url[..<separator.lowerBound])
        let rest = url[separator.upperBound...]
        let end = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
        authority = String(rest[..<end])
        target = String(rest[end...])
        var hostAndPort = Substring(authority)
        if let at = hostAndPort.lastIndex(of: "@") {
            userInfo = String(hostAndPort[..<at])
            hostAndPort = hostAndPort[hostAndPort.index(after: at)...]
        }
        isIPv6Literal = hostAndPort.hasPrefix("[")
        if isIPv6Literal {
            let close = hostAndPort.firstIndex(of: "]") ?? hostAndPort.endIndex
            host = String(hostAndPort[hostAndPort.index(after: hostAndPort.startIndex)..<close])
            let after = close == hostAndPort.endIndex ? "" : hostAndPort[hostAndPort.index(after: close)...]
            port = after.isEmpty ? nil : String(after.hasPrefix(":") ? after.dropFirst() : after)
        } else if let colon = hostAndPort.lastIndex(of: ":") {
            host = String(hostAndPort[..<colon])
            port = String(hostAndPort[hostAndPort.index(after: colon)...])
        } else {
            host = String(hostAndPort)
        }
    }

    /// The target up to its query or fragment ("" when none).
    public var path: Substring { target.prefix { $0 != "?" && $0 != "#" } }

    /// The text after "?", up to a fragment; nil without a "?".
    public var query: Substring? {
        guard let mark = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: mark)...].prefix { $0 != "#" }
    }
}
