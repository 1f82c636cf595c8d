import Foundation

/// TCP ports in LISTEN state, from /proc/net/tcp and /proc/net/tcp6: a connection on such a
/// local port was accepted, which tells the kernel its role when the handshake went unseen.
public enum ListeningPorts {
    public static func current() -> Set<UInt16> {
        var ports = Set<UInt16>()
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            if let text = try? String(contentsOfFile: path, encoding: .utf8) { ports.formUnion(parse(text)) }
        }
        return ports
    }

    /// Parses the kernel's table: `sl local_address rem_address st ...`, with the port in hex
    /// after the colon and state 0A meaning LISTEN.
    public static func parse(_ text: String) -> Set<UInt16> {
        var ports = Set<UInt16>()
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == "0A",
                  let colon = fields[1].lastIndex(of: ":"),
                  let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
            ports.insert(port)
        }
        return ports
    }
}

/// Process names (comm) by tgid, read once from /proc and cached.
public final class ProcessNames: @unchecked Sendable {
    private var names: [Int32: String] = [:]
    private let lock = NSLock()

    public init() {}

    public func name(of tgid: Int32) -> String {
        lock.withLock {
            if let known = names[tgid] { return known }
            let path = "/proc/\(tgid)/comm"
            let name = (try? String(contentsOfFile: path, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "pid \(tgid)"
            names[tgid] = name
            return name
        }
    }
}
