import KmonSystem

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
        LoadError(.unreachable, "\(SystemCallError("cannot connect to \(address)", errno: code)); is the server running and listening there?")
    }

    public static func invalidConfiguration(_ why: String) -> LoadError {
        LoadError(.invalidConfiguration, why)
    }

    public static func system(_ error: SystemCallError) -> LoadError {
        LoadError(.system, error.description)
    }

    public static func records(_ path: String, _ why: String) -> LoadError {
        LoadError(.records, "ground-truth records file '\(path)': \(why)")
    }

    public var isUnreachable: Bool { kind == .unreachable }
    public var isBadURL: Bool { kind == .badURL }
}
