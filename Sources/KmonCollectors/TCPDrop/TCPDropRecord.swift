import CKmonEvents
import Foundation
import Glibc
import KmonSystem

/// One tcpdrop event as Kmon reports it.
public struct TCPDropRecord: Encodable, Equatable, Sendable {
    public enum Kind: String, Encodable, Sendable {
        case drop
        case retransmit
        case sendReset = "send_reset"
        case receiveReset = "receive_reset"

        init?(raw: UInt8) {
            switch Int32(raw) {
            case TCPDROP_KIND_DROP: self = .drop
            case TCPDROP_KIND_RETRANSMIT: self = .retransmit
            case TCPDROP_KIND_SEND_RESET: self = .sendReset
            case TCPDROP_KIND_RECEIVE_RESET: self = .receiveReset
            default: return nil
            }
        }
    }

    public var kind: Kind
    public var timestampNanoseconds: UInt64
    public var pid: Int32
    public var tid: Int32
    public var comm: String
    /// The drop reason (drops) or reset reason (sent resets) by its kernel name; nil otherwise.
    public var reason: String?
    /// TCP state name (`ESTABLISHED`, ...), nil when no socket was known.
    public var state: String?
    // Stored as tcpdrop's flat saddr/sport/daddr/dport fields, which the JSON keeps.
    public var sourceAddress: IPAddress
    public var sourcePort: UInt16
    public var destinationAddress: IPAddress
    public var destinationPort: UInt16
    public var userStack: [String]?
    public var kernelStack: [String]?

    public var source: SocketEndpoint { SocketEndpoint(address: sourceAddress, port: sourcePort) }
    public var destination: SocketEndpoint { SocketEndpoint(address: destinationAddress, port: destinationPort) }

    enum CodingKeys: String, CodingKey {
        case kind, pid, tid, comm, reason, state
        case timestampNanoseconds = "timestamp_ns"
        case sourceAddress = "saddr"
        case sourcePort = "sport"
        case destinationAddress = "daddr"
        case destinationPort = "dport"
        case userStack = "user_stack"
        case kernelStack = "kernel_stack"
    }

    /// Decodes the kernel's record; stacks are filled in by the collector.
    init?(event e: tcpdrop_event, dropReasons: KernelEnumNames, resetReasons: KernelEnumNames) {
        guard let kind = Kind(raw: e.kind) else { return nil }
        self.kind = kind
        timestampNanoseconds = e.timestamp_ns
        pid = Int32(bitPattern: e.tgid)
        tid = Int32(bitPattern: e.tid)
        comm = String(cCharArray: e.comm)
        switch kind {
        case .drop: reason = dropReasons.name(e.reason)
        case .sendReset: reason = resetReasons.names.isEmpty ? nil : resetReasons.name(e.reason)
        default: reason = nil
        }
        state = Self.tcpStateNames[Int(e.state)]
        var e = e
        sourceAddress = IPAddress(networkBytes: &e.saddr, family: Int32(e.family))
        sourcePort = e.sport
        destinationAddress = IPAddress(networkBytes: &e.daddr, family: Int32(e.family))
        destinationPort = e.dport
    }

    /// include/net/tcp_states.h; 0 means no socket.
    static let tcpStateNames: [Int: String] = [
        1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
        7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV",
    ]
}
