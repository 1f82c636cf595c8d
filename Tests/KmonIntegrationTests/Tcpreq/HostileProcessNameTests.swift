import Foundation
import Glibc
import KmonSystem
import Testing

/// A process named with terminal escapes, watched by root's `kmon monitor`.
@Suite("a hostile process name in kmon monitor", Privileged.enabled)
struct HostileProcessNameTests {
    /// Retitles the window, then clears the screen: 13 bytes, within comm's 15.
    static let hostile = "\u{1B}]0;PWNED\u{07}\u{1B}[2J"

    @Test("a server thread whose comm is \\e]0;PWNED\\a\\e[2J shows escaped in the live view, with no control byte written")
    func liveViewEscapesComm() throws {
        try Privileged.check()
        let exchange = try LoopbackExchange(serverDelayMicroseconds: 100, serverThreadName: Self.hostile)
        exchange.start()
        defer { exchange.close() }
        let monitor = try ChildMonitor(arguments: ["--pid", "\(getpid())", "--port", "\(exchange.port)", "--duration", "3",
                                                   "--interval", "0.5", "--json"])
        defer { monitor.kill() }
        try monitor.waitUntilWatching(timeout: 30)
        _ = try exchange.runClient(requests: 20)
        #expect(monitor.waitForExit() == 0, "\(monitor.stderr.suffix(2000))")
        // The live view goes to stderr with --json; the service is named by its comm.
        let view = monitor.stderr
        #expect(view.contains(#"\x1b]0;PWNED\x07\x1b[2J"#), "\(view.suffix(2000))")
        #expect(!view.utf8.contains(0x1B) && !view.utf8.contains(0x07), "raw control bytes reached the terminal")
        // JSON keeps the exact name, escaped its own way.
        #expect(monitor.stdout.contains(#"\u001b]0;PWNED\u0007\u001b[2J"#), "\(monitor.stdout.prefix(2000))")
    }
}
