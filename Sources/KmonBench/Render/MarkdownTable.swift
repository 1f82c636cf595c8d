/// A GitHub-flavoured Markdown table padded to aligned columns, so the same text reads well
/// in a terminal and renders as a table.
enum MarkdownTable {
    static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        let body = rows.map { $0.map(cell) }
        let all = [header] + body
        let widths = header.indices.map { column in max(3, all.map { $0[column].count }.max() ?? 0) }
        func pad(_ cell: String, _ column: Int) -> String {
            let fill = String(repeating: " ", count: widths[column] - cell.count)
            return rightAligned.contains(column) ? fill + cell : cell + fill
        }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { pad($1, $0) }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.indices.map { column in
            let dashes = String(repeating: "-", count: widths[column])
            return rightAligned.contains(column) ? "-" + dashes + ":" : "-" + dashes + "-"
        }.joined(separator: "|") + "|"
        return ([line(header), rule] + body.map(line)).joined(separator: "\n")
    }

    /// A cell stays in its column: no line breaks, and pipes escaped.
    static func cell(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: "; ").replacingOccurrences(of: "|", with: "\\|")
    }
}
