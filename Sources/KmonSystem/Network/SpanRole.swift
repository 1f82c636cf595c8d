/// Which end of a connection a span was measured on: the probes' `role`, the exporters' `side`
/// label. Its raw value is the text every output writes ("server", "client").
public enum SpanRole: String, Codable, Sendable, CaseIterable {
    /// An accepted socket: from the first request byte read to the last response byte written.
    case server
    /// A connected socket: from the first request byte sent to the last response byte read.
    case client
}
