/// Reads fixed-layout event records (structs from bpf/include, read through CKmonEvents) out of
/// ring-buffer samples. A sample shorter than the struct is refused rather than read past its end.
public enum EventDecoder {
    @inline(__always)
    public static func decode<Event: BitwiseCopyable>(_ sample: UnsafeRawBufferPointer, as: Event.Type = Event.self) -> Event? {
        guard sample.count >= MemoryLayout<Event>.size, let base = sample.baseAddress else { return nil }
        return base.loadUnaligned(as: Event.self)
    }
}
