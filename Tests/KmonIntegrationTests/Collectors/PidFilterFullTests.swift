import BPF
import Foundation
import Glibc
import KmonBPFObjects
@testable import KmonCollectors
import Testing

/// `--comm` matching more processes than the collectors' pid map holds (8,192): the ones that
/// do not fit are not watched, and that is counted as a loss, not left silent (issue 23).
@Suite("collector pid filter that fills up", .serialized)
struct PidFilterFullTests {
    @Test(Privileged.enabled)
    func processesWithoutRoomAreCounted() throws {
        try Privileged.check()
        let object = try BPFObject(elf: try #require(EmbeddedBPF.object(named: "fcount")), name: "fcount")
        try object.map("target_tgids").setMaxEntries(4)
        try object.load()

        // Ten processes whose name only this test uses.
        let name = "kmonfeed\(getpid() % 100_000)"
        let directory = NSTemporaryDirectory() + name
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: directory + "/" + name)
        let children = try (0..<10).map { _ in
            let child = Process()
            child.executableURL = URL(fileURLWithPath: directory + "/" + name)
            child.arguments = ["30"]
            try child.run()
            return child
        }
        defer { children.forEach { kill($0.processIdentifier, SIGKILL); $0.waitUntilExit() } }

        let feeder = try PidFilterFeeder.make(map: object.map("target_tgids"), filter: ListenFilter(comm: "^\(name)$"))
        feeder.refresh()
        #expect(try object.map("target_tgids").fill().entries == 4)
        #expect(feeder.refusedCount == 6, "10 matches, room for 4")
        feeder.refresh()
        #expect(feeder.refusedCount == 6, "a process refused again is counted once")

        children.prefix(4).forEach { kill($0.processIdentifier, SIGKILL); $0.waitUntilExit() }
        feeder.refresh()
        #expect(try object.map("target_tgids").fill().entries == 4, "the room the gone processes left is given to waiting ones")
        #expect(feeder.refusedCount == 6)
    }
}
