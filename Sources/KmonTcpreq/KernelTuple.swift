import CKmonEvents
import KmonSystem

extension ConnectionTuple {
    /// The kernel's `struct tcpreq_tuple`, as the observing socket sees it: bytes in, bytes
    /// out, no text (addresses are formatted only for output).
    init(_ raw: tcpreq_tuple) {
        var raw = raw
        let family = Int32(raw.family)
        self.init(local: SocketEndpoint(address: IPAddress(networkBytes: &raw.saddr, family: family), port: raw.sport),
                  remote: SocketEndpoint(address: IPAddress(networkBytes: &raw.daddr, family: family), port: raw.dport))
    }
}
