/// Left-aligned plain-text columns, sized to their widest cell. Tables go to terminals and their
/// cells often hold names from elsewhere (process names, paths), so every cell is shown through
/// `TerminalText.escaped`.
public enum TextTable {
    public static func render(header: [String], rows: [[String]]) -> [String] {
        let all = ([header] + rows).map { $0.map { TerminalText.escaped($0) } }
        let header = all[0]
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return [line(header), line(widths.map { String(repeating: "-", count: $0) })] + all.dropFirst().map(line)
    }
}
