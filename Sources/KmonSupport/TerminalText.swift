/// Text Kmon did not choose (process names, paths, symbols, a sink's answer), made safe to print
/// on a terminal: a process named `\e]0;PWNED\a\e[2J` must not retitle or clear root's screen.
public enum TerminalText {
    /// `text` with every control character shown as a visible escape: C0 and C1 controls and DEL
    /// as `\x1b`, line and paragraph separators and bidirectional overrides (which reorder what
    /// follows them) as `\u{202e}`, and the backslash itself as `\\`, so the escapes stay
    /// unambiguous. Everything else is kept as it is. `keepingLineBreaks` keeps `\n` for text
    /// printed on lines of its own (an error quoting a log tail); a table cell never keeps it.
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        let needsEscape = { (scalar: Unicode.Scalar) in !(keepingLineBreaks && scalar == "\n") && Self.needsEscape(scalar) }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16)
            switch scalar.value {
            case 0x5C: out += "\\\\"
            case ..<0x100: out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out += "\\u{" + hex + "}"
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x5C, 0x7F...0x9F: return true
        case 0x2028, 0x2029: return true // line and paragraph separators
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true // bidirectional marks and overrides
        default: return false
        }
    }
}
