import CKmonEvents
import Glibc

/// Kernel tuples filled as a BPF program fills them, for tests that build records by hand.
extension tcpreq_tuple {
    /// An IPv4 tuple: four address bytes a side, ports in host order.
    static func ipv4(_ saddr: [UInt8], _ sport: UInt16 = 0, to daddr: [UInt8] = [0, 0, 0, 0], _ dport: UInt16 = 0) -> tcpreq_tuple {
        var tuple = tcpreq_tuple()
        tuple.family = UInt16(AF_INET)
        tuple.sport = sport
        tuple.dport = dport
        withUnsafeMutableBytes(of: &tuple.saddr) { $0.copyBytes(from: saddr) }
        withUnsafeMutableBytes(of: &tuple.daddr) { $0.copyBytes(from: daddr) }
        return tuple
    }

    /// ::1 to ::1, ports zero.
    static var ipv6Loopback: tcpreq_tuple {
        var tuple = tcpreq_tuple()
        tuple.family = UInt16(AF_INET6)
        withUnsafeMutableBytes(of: &tuple.saddr) { $0[15] = 1 }
        withUnsafeMutableBytes(of: &tuple.daddr) { $0[15] = 1 }
        return tuple
    }
}
