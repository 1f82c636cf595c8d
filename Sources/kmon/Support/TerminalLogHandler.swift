import KmonSupport
import Logging

/// Logs go to root's terminal and carry text from elsewhere (a sink's answer, a service's death
/// report, libbpf's names): message and metadata are shown through `TerminalText.escaped`.
struct TerminalLogHandler: LogHandler {
    var inner: StreamLogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        inner.log(level: level, message: "\(TerminalText.escaped(message.description, keepingLineBreaks: true))", metadata: metadata?.mapValues(Self.escaped),
                  source: source, file: file, function: function, line: line)
    }

    static func escaped(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let text): .string(TerminalText.escaped(text))
        case .stringConvertible(let item): .string(TerminalText.escaped(item.description))
        case .array(let items): .array(items.map(escaped))
        case .dictionary(let entries): .dictionary(entries.mapValues(escaped))
        }
    }
}
