import Foundation
import Glibc
import KmonSystem
import KmonTestSupport
import Testing

/// `OutputFile` and `OutputDirectory`: never through a symlink, never into a hard-linked file,
/// whole files or nothing. On a private scratch directory; the cases with another user's
/// directory run as root in `SymlinkWriteTests`.
struct OutputFileTests {
    /// A fresh directory with a "secret" file and a link "out" pointing at it.
    final class Planted {
        let directory: String
        var secret: String { directory + "/secret" }
        var link: String { directory + "/out" }

        init() throws {
            directory = try makeTemporaryDirectory("kmon-outputfile")
            try "root only\n".write(toFile: secret, atomically: false, encoding: .utf8)
            guard symlink(secret, link) == 0 else { throw SystemCallError("symlink") }
        }

        var secretText: String { (try? String(contentsOfFile: secret, encoding: .utf8)) ?? "<unreadable>" }
        var entries: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test(arguments: [false, true])
    func aStreamIsNeverOpenedThroughASymlink(appending: Bool) throws {
        let planted = try Planted()
        #expect(throws: OutputFileError.self) { _ = try OutputFile.open(planted.link, appending: appending) }
        do { _ = try OutputFile.open(planted.link, appending: appending) } catch let error as OutputFileError {
            #expect(error.description == "\(planted.link): is a symbolic link; kmon does not write through one (remove it or choose another path)")
        }
        #expect(planted.secretText == "root only\n")
    }

    @Test func aWholeFileIsNeverWrittenThroughASymlink() throws {
        let planted = try Planted()
        #expect(throws: OutputFileError.self) { try OutputFile.replace(planted.link, with: "overwritten") }
        #expect(planted.secretText == "root only\n")
        // The refusal leaves the link as it was and no temporary file behind.
        #expect(planted.entries == ["out", "secret"])
        var info = stat()
        #expect(lstat(planted.link, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
    }

    @Test func aHardLinkedFileIsNotTruncated() throws {
        let planted = try Planted()
        let hard = planted.directory + "/hard"
        guard link(planted.secret, hard) == 0 else { throw SystemCallError("link") }
        do {
            _ = try OutputFile.open(hard)
            Issue.record("opened a file with two names")
        } catch let error as OutputFileError {
            #expect(error.reason.contains("other hard links"))
        }
        #expect(planted.secretText == "root only\n")
        // A whole-file write replaces the name instead: the other name keeps the old content.
        try OutputFile.replace(hard, with: "new\n")
        #expect(planted.secretText == "root only\n")
        #expect(try String(contentsOfFile: hard, encoding: .utf8) == "new\n")
    }

    @Test func replaceSwapsWholeFilesAndLeavesNoTemporary() throws {
        let planted = try Planted()
        let path = planted.directory + "/results.json"
        try OutputFile.replace(path, with: "first")
        try OutputFile.replace(path, with: "second, longer")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second, longer")
        #expect(planted.entries == ["out", "results.json", "secret"])
    }

    @Test func aStreamTruncatesOrAppendsToItsOwnFile() throws {
        let planted = try Planted()
        let path = planted.directory + "/spans.jsonl"
        for (appending, expected) in [(false, "a"), (true, "ab"), (false, "c")] {
            let fd = try OutputFile.open(path, appending: appending)
            let text = expected.suffix(1)
            try Array(text.utf8).withUnsafeBytes { try OutputFile.writeAll(fd, $0, path: path) }
            close(fd)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == expected)
        }
    }

    @Test func anOutputDirectoryThatIsASymlinkIsRefused() throws {
        let planted = try Planted()
        let target = planted.directory + "/target"
        let linked = planted.directory + "/linked"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        guard symlink(target, linked) == 0 else { throw SystemCallError("symlink") }
        #expect(throws: OutputFileError.self) { _ = try OutputDirectory(creating: linked) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).isEmpty)
        // Missing parents are created; the new directory reports that it made it.
        let made = try OutputDirectory(creating: planted.directory + "/a/b/c")
        #expect(made.created)
        try made.replace("tables.md", with: Array("ok".utf8))
        #expect(FileManager.default.fileExists(atPath: planted.directory + "/a/b/c/tables.md"))
    }

    @Test func aPathUnderAFileIsRefusedWithTheReason() throws {
        let planted = try Planted()
        do {
            _ = try OutputDirectory(creating: planted.secret + "/out")
            Issue.record("made a directory under a file")
        } catch let error as OutputFileError {
            #expect(error.description == "\(planted.secret)/out: Not a directory")
        }
    }
}
