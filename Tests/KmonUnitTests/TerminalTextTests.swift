import KmonSupport
import KmonSystem
import KmonTcpreq
import KmonTestSupport
import Testing

/// Process names and paths reach root's terminal: a name made of escape sequences must show as
/// text, never act on the terminal.
@Suite("untrusted text on a terminal")
struct TerminalTextTests {
    /// The name from the issue: sets the window title, then clears the screen.
    static let hostile = "\u{1B}]0;PWNED\u{07}\u{1B}[2J"
    static let shown = #"\x1b]0;PWNED\x07\x1b[2J"#

    static func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) }
    }

    @Test("control characters are shown as visible escapes; other text is kept")
    func escapes() {
        #expect(TerminalText.escaped(Self.hostile) == Self.shown)
        #expect(TerminalText.escaped("a\nb\tc\r\0\u{7F}") == #"a\x0ab\x09c\x0d\x00\x7f"#)
        #expect(TerminalText.escaped("csi\u{9B}2J") == #"csi\x9b2J"#) // C1 CSI, honoured by some terminals
        #expect(TerminalText.escaped("evil\u{202E}txt.sh") == #"evil\u{202e}txt.sh"#)
        #expect(TerminalText.escaped(#"back\slash"#) == #"back\\slash"#)
        #expect(TerminalText.escaped("kmon-service µs café 東京") == "kmon-service µs café 東京")
    }

    @Test("an error quoting a log tail keeps its line breaks, and only those")
    func lineBreaks() {
        #expect(TerminalText.escaped("died; last log lines:\n\u{1B}[2Jboom\r", keepingLineBreaks: true)
            == #"died; last log lines:"# + "\n" + #"\x1b[2Jboom\x0d"#)
    }

    @Test("text tables escape every cell and align on what is shown")
    func tables() {
        let lines = TextTable.render(header: ["service", "req/s"], rows: [[Self.hostile, "1"], ["api", "2"]])
        #expect(!lines.contains { Self.hasControls($0) })
        #expect(lines[2] == Self.shown + "  1")
        #expect(lines[3] == "api" + String(repeating: " ", count: Self.shown.count - 1) + "2")
    }

    @Test("the live view and the DOT topology show a hostile process name escaped")
    func liveViewAndDot() {
        var builder = TopologyBuilder { _ in "unused" }
        for i in 0..<3 {
            builder.add(TopologyTests.span(.server, tgid: 7, comm: Self.hostile, local: ("127.0.0.1", 8080), remote: ("127.0.0.1", 50000),
                                           duration: 100_000, ordinal: UInt32(i)))
            builder.add(TopologyTests.span(.client, tgid: 7, comm: Self.hostile, local: ("127.0.0.1", 40000), remote: ("127.0.0.1", 9),
                                           duration: 50_000, ordinal: UInt32(i)))
        }
        let topology = builder.build()
        let snapshot = TcpreqSnapshot(variant: .sock, mode: .kernel, timeNanoseconds: 0, elapsedSeconds: 1, topology: topology,
                                      newSpans: [], counters: TcpreqCounters(records: 0, spans: 6, decodeErrors: 0, lost: .init(ringBuffer: 0, storage: 0)),
                                      programs: [])
        let view = TcpreqLiveView.render(snapshot, previous: nil).joined(separator: "\n")
        #expect(!Self.hasControls(view), "\(view.debugDescription)")
        #expect(view.contains(Self.shown + "  7"))
        #expect(view.contains(Self.shown + " -> 127.0.0.1:9"))
        let dot = topology.dot()
        #expect(!Self.hasControls(dot))
        #expect(dot.contains(#""\\x1b]0;PWNED\\x07\\x1b[2J""#))
    }
}
