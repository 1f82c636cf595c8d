/// An optional figure that results.json always writes, as `null` when absent, so a reader can
/// tell "not measured" from "missing key".
///
/// Synthesized `Codable` encodes a wrapped property with `encode(_:forKey:)`, never
/// `encodeIfPresent`, so the key is always there; the wrapper writes nil as null. A missing
/// key still decodes as nil (the decoding extension below), so files from before a figure
/// existed still read.
@propertyWrapper
public struct ExplicitNull<Value: Codable>: Codable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension ExplicitNull: Sendable where Value: Sendable {}
extension ExplicitNull: Equatable where Value: Equatable {}

extension KeyedDecodingContainer {
    /// Synthesized decoding calls this for a wrapped property: a missing key is nil, as for a plain optional.
    public func decode<Value>(_ type: ExplicitNull<Value>.Type, forKey key: Key) throws -> ExplicitNull<Value> {
        try decodeIfPresent(type, forKey: key) ?? ExplicitNull(wrappedValue: nil)
    }
}
