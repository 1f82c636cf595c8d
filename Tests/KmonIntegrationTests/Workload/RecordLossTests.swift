import Foundation
import Glibc
import KmonSystem
import KmonWorkload
import Testing

/// A service whose records file fills its disk: every record that did not make it whole is
/// counted, and the file keeps only whole records, so a reader still lines them up (issue 23).
@Suite("service records on a full disk", .serialized)
struct RecordLossTests {
    @Test(Privileged.enabled)
    func recordsThatDoNotFitAreCountedAndTheFileStaysWhole() throws {
        try Privileged.check()
        // A 64 KiB tmpfs of our own: a full disk without filling a real one.
        let directory = NSTemporaryDirectory() + "kmon-full-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        guard mount("tmpfs", directory, "tmpfs", 0, "size=64k") == 0 else { throw SystemCallError("mount(tmpfs, \(directory))") }
        defer { umount2(directory, Int32(MNT_DETACH)) }

        let path = directory + "/records.ksr"
        let writer = try ServiceRecordWriter(path: path, service: "full")
        let written = 2_000 // 176,000 bytes of records for 65,536 bytes of disk
        for i in 0..<written {
            writer.append(ServedRequestRecord(requestID: UInt64(i + 1), connection: .none, ordinal: UInt32(i), route: .work,
                                              status: 200, firstReadNs: UInt64(i), handlerEntryNs: 0, handlerExitNs: 0,
                                              responseWrittenNs: UInt64(i)))
            if i % 100 == 0 { writer.flush() }
        }
        writer.close()
        let losses = writer.losses()
        let kept = try ServiceRecords.read(path: path).served
        print("records on a 64 KiB disk: \(kept.count) kept, \(losses.records) counted lost, first error \(losses.error.map { "\($0)" } ?? "none")")
        #expect(losses.records > 0)
        #expect(UInt64(kept.count) + losses.records == UInt64(written), "every record is either in the file or counted")
        #expect(kept.map(\.ordinal) == (0..<UInt32(kept.count)).map { $0 }, "the file holds whole records in order")
        #expect(losses.error?.errno == ENOSPC)
    }
}
