import Foundation
import KmonSupport

/// Writes `prefix` and `message` as a line on stderr. Messages quote paths, process names and
/// answers kmon did not choose, so control characters show escaped (`TerminalText`); line breaks
/// are kept for the few messages that quote a log tail or a verifier log.
func printError(_ message: Any, prefix: String = "error: ") {
    FileHandle.standardError.write(Data((prefix + TerminalText.escaped("\(message)", keepingLineBreaks: true) + "\n").utf8))
}
