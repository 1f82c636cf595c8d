import Foundation
import Glibc
import Testing

/// kmon's error lines quote paths it was given or found: control characters in them must show
/// escaped, not act on root's terminal.
@Suite("error lines with hostile text")
struct HostileErrorTextTests {
    @Test("kmon compare on a path holding \\e[2J names it escaped in one line, exit 65")
    func compareEscapesPath() throws {
        var template = Array("/tmp/kmon-errtext-XXXXXX".utf8CString)
        let directory = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/\u{1B}]0;PWNED\u{07}\u{1B}[2J.json"
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        let run = try runCommand(BuildProducts.executable("kmon"), ["compare", path, path])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("error: "), "\(run.stderr)")
        #expect(run.stderr.contains(#"\x1b]0;PWNED\x07\x1b[2J.json"#), "\(run.stderr.debugDescription)")
        #expect(!run.stderr.utf8.contains(0x1B) && !run.stderr.utf8.contains(0x07), "\(run.stderr.debugDescription)")
    }
}
