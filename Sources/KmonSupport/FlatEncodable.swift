/// A JSON object that holds the keys of several values side by side, where JSON is flat but the
/// Swift type nests: a collector's report with its programs' cost beside its own figures, a
/// results record's fields beside its run lengths or error summary. Each part must encode as an
/// object; on a clash of keys the later part wins. Decoding, where wanted, reads each part from
/// the same decoder.
public protocol FlatEncodable: Encodable {
    /// The values whose keys make up the object, in order.
    var flatParts: [any Encodable] { get }
}

extension FlatEncodable {
    public func encode(to encoder: Encoder) throws {
        for part in flatParts { try part.encode(to: encoder) }
    }
}
