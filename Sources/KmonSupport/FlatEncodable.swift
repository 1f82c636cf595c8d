/// A JSON object that holds the keys of several values side by side: a collector's report with
/// its programs' cost beside its own figures, or tcpreq's summary beside the other collectors.
/// Each part must encode as an object; on a clash of keys the later part wins.
public protocol FlatEncodable: Encodable {
    /// The values whose keys make up the object, in order.
    var flatParts: [any Encodable] { get }
}

extension FlatEncodable {
    public func encode(to encoder: Encoder) throws {
        for part in flatParts { try part.encode(to: encoder) }
    }
}
