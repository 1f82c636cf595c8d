import KmonSystem

/// Kernel `char[16]` task names as Strings, the last eight remembered by their raw bytes: a
/// node's spans come from a handful of thread names (a chain's services are all
/// `kmon-service`, the load generator's threads `kmon-load-N`), and turning the bytes into a
/// String (UTF-8 validation) for every span was a visible part of decoding one. More names
/// than that in turn miss every time and cost what they cost before. Held inline: making one
/// allocates nothing.
public struct CommNames {
    static let capacity = 8
    /// Every entry is valid from the start: sixteen zero bytes are the empty name.
    private var raws = InlineArray<8, SIMD2<UInt64>>(repeating: .zero)
    private var names = InlineArray<8, String>(repeating: "")
    private var oldest = 0

    public init() {}

    /// The name in `comm`, a kernel `char[16]`: what `String(cCharArray:)` makes of it.
    public mutating func name<Comm: BitwiseCopyable>(_ comm: Comm) -> String {
        guard MemoryLayout<Comm>.size == 16 else { return String(cCharArray: comm) }
        let raw = withUnsafeBytes(of: comm) {
            SIMD2($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
        for index in raws.indices where raws[index] == raw { return names[index] }
        let name = String(cCharArray: comm)
        raws[oldest] = raw
        names[oldest] = name
        oldest = (oldest + 1) % Self.capacity
        return name
    }
}
