/// Reads fixed-layout records (structs from bpf/include, read through CKmonEvents) out of one
/// ring buffer's samples: every read is bounded by the sample, so a record shorter than its
/// layout is refused with a `RecordDecodeError`, never read past its end. Each ring's reader
/// keeps one, named for the ring.
public struct EventDecoder: Sendable {
    /// The ring the records come from ("tcpreq", "tcpdrop"), for errors.
    public let ring: String

    public init(ring: String) {
        self.ring = ring
    }

    /// The `Event` at `offset` in `sample` (`what` names the record in the error).
    @inlinable
    public func load<Event: BitwiseCopyable>(_ sample: UnsafeRawBufferPointer, as: Event.Type = Event.self, at offset: Int = 0,
                                             _ what: String) throws(RecordDecodeError) -> Event {
        guard offset >= 0, sample.count - offset >= MemoryLayout<Event>.size else {
            throw tooShort(what, bytes: sample.count, expected: offset + MemoryLayout<Event>.size)
        }
        return sample.loadUnaligned(fromByteOffset: offset, as: Event.self)
    }

    /// An error for this ring's record: `message` says what does not match the layouts.
    public func failure(_ message: String) -> RecordDecodeError {
        RecordDecodeError(ring: ring, message: message)
    }

    @usableFromInline
    func tooShort(_ what: String, bytes: Int, expected: Int) -> RecordDecodeError {
        failure("\(what) record of \(bytes) bytes, expected \(expected)")
    }
}

/// A ring record that does not match the layouts this build knows.
public struct RecordDecodeError: Error, CustomStringConvertible, Equatable {
    /// The ring the record came from.
    public var ring: String
    /// What does not match: a record shorter than its layout, or a kind this build does not know.
    public var message: String

    public var description: String { "cannot decode \(ring) record: \(message)" }
}
