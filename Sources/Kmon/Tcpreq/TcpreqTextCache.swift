import CKmonEvents

/// The text forms of kernel tuples and task names already decoded. A connection's spans repeat
/// both, and formatting them (inet_ntop, String) is most of a span's decoding. Keyed by the raw
/// bytes, so a reused socket address or cookie can never pick up another connection's text.
/// For one reading thread; it forgets everything when it reaches `limit` entries.
public final class TcpreqTextCache {
    /// `tcpreq_tuple`'s 40 bytes and a task name's 16, as words.
    private struct RawTuple: Hashable { var a, b, c, d, e: UInt64 }
    private struct RawName: Hashable { var low, high: UInt64 }

    private var tuples: [RawTuple: ConnectionTuple] = [:]
    private var names: [RawName: String] = [:]
    let limit: Int

    public init(limit: Int = 65_536) {
        self.limit = limit
    }

    func tuple(_ raw: tcpreq_tuple) -> ConnectionTuple {
        let key = withUnsafeBytes(of: raw) { $0.loadUnaligned(as: RawTuple.self) }
        if let known = tuples[key] { return known }
        if tuples.count >= limit { tuples.removeAll(keepingCapacity: true) }
        let tuple = ConnectionTuple(raw)
        tuples[key] = tuple
        return tuple
    }

    func comm<T>(_ raw: T) -> String {
        let key = withUnsafeBytes(of: raw) { $0.loadUnaligned(as: RawName.self) }
        if let known = names[key] { return known }
        if names.count >= limit { names.removeAll(keepingCapacity: true) }
        let name = commString(raw)
        names[key] = name
        return name
    }
}
