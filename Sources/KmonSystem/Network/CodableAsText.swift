/// A value whose JSON is its text form ("10.0.0.1", "10.0.0.1:8080"), which is what people
/// and scripts read; decoding parses the text back, and a malformed one names what was expected.
public protocol CodableAsText: Codable, LosslessStringConvertible {
    /// What the text should have been, for the decoding error: "an IP address".
    static var textForm: String { get }
}

extension CodableAsText {
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not \(Self.textForm): \(text)"))
        }
        self = value
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
