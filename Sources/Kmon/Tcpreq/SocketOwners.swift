import Foundation

/// Finds the process owning a TCP connection, for probes that run without a task (skb):
/// /proc/net/tcp{,6} gives the socket inode of a (local port, remote port) pair, and
/// /proc/PID/fd gives the process holding that inode. A server connection is attributed to the
/// owner of its listening socket, which lives long; a client connection to its own socket's
/// owner, which is found only if the connection is still open at the next rebuild. Rebuilds
/// scan every process's fds (tens of ms on a busy machine), so they run at most once a second.
public final class SocketOwners: @unchecked Sendable {
    private struct Ports: Hashable { var local: UInt16; var remote: UInt16 }
    private var owners: [Ports: Int32] = [:]
    private var lastRebuild: Date?
    private let lock = NSLock()

    public init() {}

    /// The tgid owning the connection (or, for a server, its listener), or nil.
    public func owner(of tuple: ConnectionTuple, role: SpanRole) -> Int32? {
        let key = Ports(local: tuple.localPort, remote: role == .server ? 0 : tuple.remotePort)
        return lock.withLock {
            if let tgid = owners[key] { return tgid }
            if let last = lastRebuild, Date().timeIntervalSince(last) < 1 { return nil }
            rebuild()
            return owners[key]
        }
    }

    private func rebuild() {
        lastRebuild = Date()
        var inodes: [UInt64: Ports] = [:]
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            for (ports, inode) in Self.parseConnections(text) { inodes[inode] = ports }
        }
        var found: [Ports: Int32] = [:]
        let fm = FileManager.default
        for entry in (try? fm.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let fds = try? fm.contentsOfDirectory(atPath: "/proc/\(entry)/fd") else { continue }
            for fd in fds {
                guard let target = try? fm.destinationOfSymbolicLink(atPath: "/proc/\(entry)/fd/\(fd)"),
                      target.hasPrefix("socket:["), let inode = UInt64(target.dropFirst(8).dropLast()),
                      let ports = inodes[inode] else { continue }
                found[ports] = pid
            }
        }
        owners.merge(found) { _, new in new } // keep what closed since: its spans may still be queued
    }

    /// (local port, remote port) and socket inode of each connection in a /proc/net/tcp table.
    private static func parseConnections(_ text: String) -> [(Ports, UInt64)] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count > 9, let l = f[1].lastIndex(of: ":"), let r = f[2].lastIndex(of: ":"),
                  let local = UInt16(f[1][f[1].index(after: l)...], radix: 16),
                  let remote = UInt16(f[2][f[2].index(after: r)...], radix: 16),
                  let inode = UInt64(f[9]), inode != 0 else { return nil }
            return (Ports(local: local, remote: remote), inode)
        }
    }
}
