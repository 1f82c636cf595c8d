import CKmonEvents
import Foundation
import KmonSystem

/// TCP sockets in LISTEN state, in every network namespace a process on this machine is in:
/// a connection whose handshake Kmon did not see is a server exactly when its local endpoint
/// is one of these. The kernel keeps the set current from then on (bpf/tcpreq.bpf.h,
/// `track_listener`); this is the set at the start.
public struct ListeningSocket: Hashable, Sendable {
    /// AF_INET or AF_INET6.
    public var family: UInt16
    /// The local address as the kernel stores it (network order; IPv4 in the first 4 bytes,
    /// the rest zero); all zero for a wildcard listener (0.0.0.0 or ::).
    public var address: [UInt8]
    public var port: UInt16
    /// The network namespace's inode number (`ls -L -i /proc/PID/ns/net`).
    public var netns: UInt32

    public init(family: UInt16, address: [UInt8], port: UInt16, netns: UInt32) {
        self.family = family
        self.address = address
        self.port = port
        self.netns = netns
    }
}

public enum ListeningSockets {
    /// Listeners in each network namespace in use, with how many sockets listen on each
    /// endpoint (SO_REUSEPORT): one /proc/PID/net/tcp{,6} per namespace, read through one of
    /// its processes.
    public static func current() -> [ListeningSocket: UInt32] {
        var found: [ListeningSocket: UInt32] = [:]
        for (netns, pid) in namespaces() {
            for (file, family) in [("tcp", UInt16(2)), ("tcp6", UInt16(10))] {
                guard let text = ProcFile.read("/proc/\(pid)/net/\(file)") else { continue }
                for listener in parse(text, family: family, netns: netns) { found[listener, default: 0] += 1 }
            }
        }
        return found
    }

    /// Network namespace inode -> one process in it ("self" for the monitor's own).
    static func namespaces() -> [UInt32: String] {
        var byNetns: [UInt32: String] = [:]
        let entries = ["self"] + ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).filter { Int32($0) != nil }
        for pid in entries {
            guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/net"),
                  let netns = netnsInode(link), byNetns[netns] == nil else { continue }
            byNetns[netns] = pid
        }
        return byNetns
    }

    /// "net:[4026531840]" -> 4026531840.
    public static func netnsInode(_ link: String) -> UInt32? {
        guard link.hasPrefix("net:["), link.hasSuffix("]") else { return nil }
        return UInt32(link.dropFirst(5).dropLast())
    }

    /// The LISTEN rows (state 0A) of one /proc/net/tcp or tcp6 table: `sl local_address ...`,
    /// the address in hex as the kernel prints its 32-bit words (native byte order), then the
    /// port in hex after the colon.
    public static func parse(_ text: String, family: UInt16, netns: UInt32) -> [ListeningSocket] {
        text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                  let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16),
                  let address = addressBytes(fields[1][..<colon]) else { return nil }
            return ListeningSocket(family: family, address: address, port: port, netns: netns)
        }
    }

    /// 8 or 32 hex digits, one 32-bit word per 8, each printed as a native integer: its native
    /// bytes are the address bytes. Padded to 16 bytes.
    static func addressBytes(_ hex: Substring) -> [UInt8]? {
        guard hex.count == 8 || hex.count == 32 else { return nil }
        var bytes: [UInt8] = []
        var rest = hex[...]
        while !rest.isEmpty {
            guard let word = UInt32(rest.prefix(8), radix: 16) else { return nil }
            withUnsafeBytes(of: word) { bytes.append(contentsOf: $0) }
            rest = rest.dropFirst(8)
        }
        return bytes + [UInt8](repeating: 0, count: 16 - bytes.count)
    }
}

extension ListeningSocket {
    /// As the kernel's `listeners` map keys it (bpf/include/tcpreq.h).
    var key: tcpreq_listen_key {
        var key = tcpreq_listen_key()
        withUnsafeMutableBytes(of: &key.addr) { $0.copyBytes(from: address.prefix(16)) }
        key.netns = netns
        key.port = port
        key.family = family
        return key
    }
}
