import Foundation
import KmonSystem

/// Finds the process owning a TCP connection, for probes that run without a task (skb):
/// /proc/net/tcp{,6} gives the socket inode of a (local port, remote port) pair, and
/// /proc/PID/fd gives the process holding that inode. A server connection is attributed to the
/// owner of its listening socket, which lives long; a client connection to its own socket's
/// owner, found only if the connection is still open at the next rescan. A rescan reads every
/// process's fds (tens of ms on a busy machine), so it runs on a thread of its own, at most once
/// a second, and the ring consumer never waits for it: a miss returns nil at once.
public final class SocketOwners: @unchecked Sendable {
    private struct Ports: Hashable { var local: UInt16; var remote: UInt16 }
    private var owners: [Ports: Int32] = [:]
    private var lastRescan: Date?
    private var rescanning = false
    private let lock = NSLock()

    /// Scans once now, so listeners present at the start are known from the first record.
    public init() {
        let found = Self.scan()
        owners = found
        lastRescan = Date()
    }

    /// The tgid owning the connection (or, for a server, its listener), or nil.
    public func owner(of tuple: ConnectionTuple, role: SpanRole) -> Int32? {
        let key = Ports(local: tuple.local.port, remote: role == .server ? 0 : tuple.remote.port)
        return lock.withLock {
            if let tgid = owners[key] { return tgid }
            if !rescanning, lastRescan.map({ Date().timeIntervalSince($0) >= 1 }) ?? true {
                rescanning = true
                Thread.detachNewThread { [self] in
                    let found = Self.scan()
                    lock.withLock {
                        owners.merge(found) { _, new in new } // keep closed ones: their spans may still be queued
                        lastRescan = Date()
                        rescanning = false
                    }
                }
            }
            return nil
        }
    }

    private static func scan() -> [Ports: Int32] {
        var inodes: [UInt64: Ports] = [:]
        for path in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = ProcFile.read(path) else { continue }
            for (ports, inode) in parseConnections(text) { inodes[inode] = ports }
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
        return found
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
