import CLibbpf

/// The text forms of kernel tuples and task names already decoded. A connection's spans repeat
/// both, and formatting them (inet_ntop, String) is most of a span's decoding. Keyed by the raw
/// bytes, so a reused socket address or cookie can never pick up another connection's text.
/// For one reading thread; it forgets everything when it reaches `limit` entries.
public final class TcpreqTextCache {
    private struct RawTuple: Hashable { var words: (UInt64, UInt64, UInt64, UInt64, UInt64)
        static func == (a: RawTuple, b: RawTuple) -> Bool { a.words == b.words }
        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3); hasher.combine(words.4)
        }
    }
    private struct RawName: Hashable { var low: UInt64, high: UInt64 }

    private var tuples: [RawTuple: ConnectionTuple] = [:]
    private var names: [RawName: String] = [:]
    let limit: Int

    public init(limit: Int = 65_536) {
        self.limit = limit
    }

    func tuple(_ raw: tcpreq_tuple) -> ConnectionTuple {
        let key = withUnsafeBytes(of: raw) { RawTuple(words: $0.loadUnaligned(as: (UInt64, UInt64, UInt64, UInt64, UInt64).self)) }
        if let known = tuples[key] { return known }
        if tuples.count >= limit { tuples.removeAll(keepingCapacity: true) }
        let tuple = ConnectionTuple(raw)
        tuples[key] = tuple
        return tuple
    }

    func comm<T>(_ raw: T) -> String {
        let key = withUnsafeBytes(of: raw) { RawName(low: $0.loadUnaligned(as: UInt64.self), high: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
        if let known = names[key] { return known }
        if names.count >= limit { names.removeAll(keepingCapacity: true) }
        let name = commString(raw)
        names[key] = name
        return name
    }
}
