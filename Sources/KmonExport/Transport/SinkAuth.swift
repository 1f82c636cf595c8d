import Foundation

/// How a sink proves who is writing. Secrets are read from files or the environment, never from
/// flag values, which any user on the machine can read in `ps`.
public enum SinkAuth: Sendable, Equatable {
    case none
    /// HTTP basic auth (InfluxDB 1.x users, ClickHouse users).
    case basic(user: String, password: String)
    /// `Authorization: Bearer TOKEN`.
    case bearer(String)
    /// `Authorization: Token TOKEN`: InfluxDB 2.x and InfluxDB Cloud.
    case influxToken(String)

    /// Reads a secret from `file` when given, else from the environment variable `variable`;
    /// nil when neither is set. Surrounding whitespace (a trailing newline) is dropped.
    public static func secret(file: String?, flag: String, variable: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ExportError("\(flag): cannot read '\(file)'")
            }
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ExportError("\(flag): '\(file)' is empty") }
            return text
        }
        guard let value = environment[variable]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }
}
