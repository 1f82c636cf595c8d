import ArgumentParser
import BPF
import Logging

/// `--verbose`, shared by every command: shows debug logs, libbpf's included.
struct LoggingOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "Show debug logs, including libbpf's own messages (bench: and every table after the summary).")
    var verbose = false

    /// Sets up swift-log once for this process and routes libbpf to it.
    func bootstrap() -> Logger {
        let level: Logger.Level = verbose ? .debug : .warning
        LoggingSystem.bootstrap { label in
            var handler = TerminalLogHandler(inner: StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "kmon")
        logger.logLevel = level
        LibbpfLog.install(Logger(label: "kmon.libbpf"))
        return logger
    }
}
