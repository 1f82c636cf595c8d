import Glibc

/// Why a load run could not start or went wrong, as a sentence a user can act on.
public struct LoadError: Error, CustomStringConvertible, Equatable {
    private enum Kind: Equatable {
        case badURL, unresolvable, unreachable, invalidConfiguration, system, records
    }

    private let kind: Kind
    public let description: String

    private init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    public static func badURL(_ url: String, _ why: String) -> LoadError {
        LoadError(.badURL, "bad URL '\(url)': \(why); expected http://HOST:PORT/PATH with an IPv4 address or host name")
    }

    public static func unresolvable(_ host: String) -> LoadError {
        LoadError(.unresolvable, "cannot resolve host '\(host)' to an IPv4 address")
    }

    public static func unreachable(_ address: String, errno code: Int32) -> LoadError {
        LoadError(.unreachable, "cannot connect to \(address): \(errnoText(code)); is the server running and listening there?")
    }

    public static func invalidConfiguration(_ why: String) -> LoadError {
        LoadError(.invalidConfiguration, why)
    }

    public static func system(_ call: String, errno code: Int32) -> LoadError {
        LoadError(.system, "\(call) failed: \(errnoText(code))")
    }

    public static func records(_ path: String, _ why: String) -> LoadError {
        LoadError(.records, "ground-truth records file '\(path)': \(why)")
    }

    public var isUnreachable: Bool { kind == .unreachable }
    public var isBadURL: Bool { kind == .badURL }
}

func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}
