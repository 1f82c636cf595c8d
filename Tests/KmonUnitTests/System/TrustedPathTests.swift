import Foundation
import Glibc
import KmonSystem
import KmonTestSupport
import Testing

/// `TrustedPath`: what root may load code from. Directories and files of another user are
/// covered as root in `BaseObjectsTrustTests`.
struct TrustedPathTests {
    final class Scratch {
        let directory: String

        init() throws {
            directory = try makeTemporaryDirectory("kmon-trust")
        }

        func make(_ name: String, mode: mode_t) throws -> String {
            let path = directory + "/" + name
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chmod(path, mode)
            return path
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }
    }

    static func refusal(_ path: String) -> String? {
        do { try TrustedPath.check(path); return nil } catch { return "\(error)" }
    }

    @Test func aPrivateDirectoryUnderStickyTmpIsTrusted() throws {
        let scratch = try Scratch()
        let objects = try scratch.make("objects", mode: 0o755)
        #expect(Self.refusal(objects) == nil)
        // A sticky, world-writable parent is fine above an entry of ours (/tmp and mktemp -d).
        let sticky = try scratch.make("sticky", mode: 0o1777)
        let inside = try scratch.make("sticky/objects", mode: 0o700)
        #expect(Self.refusal(inside) == nil)
        #expect(Self.refusal(sticky) != nil, "the sticky directory itself is writable by anyone")
    }

    @Test func aDirectoryOthersCanWriteIsRefused() throws {
        let scratch = try Scratch()
        let open = try scratch.make("open", mode: 0o777)
        #expect(Self.refusal(open) == "\(open) can be written by other users (mode 777)")
        let below = try scratch.make("open/objects", mode: 0o755)
        #expect(Self.refusal(below) == "\(open) can be written by other users (mode 777)", "the parent is checked too")
        let group = try scratch.make("group", mode: 0o775)
        #expect(Self.refusal(group) == "\(group) can be written by other users (mode 775)")
    }

    @Test func aFileOthersCanWriteIsRefused() throws {
        let scratch = try Scratch()
        let objects = try scratch.make("objects", mode: 0o755)
        let file = objects + "/tcpreq_sock.bpf.o"
        FileManager.default.createFile(atPath: file, contents: Data([0x7F]))
        chmod(file, 0o644)
        #expect(Self.refusal(file) == nil)
        chmod(file, 0o666)
        #expect(Self.refusal(file) == "\(file) can be written by other users (mode 666)")
    }

    @Test func symlinksAreResolvedBeforeTheCheck() throws {
        let scratch = try Scratch()
        let objects = try scratch.make("objects", mode: 0o755)
        let open = try scratch.make("open", mode: 0o777)
        let link = scratch.directory + "/link"
        guard symlink(open, link) == 0 else { throw SystemCallError("symlink") }
        #expect(Self.refusal(link) == "\(open) can be written by other users (mode 777)")
        unlink(link)
        guard symlink(objects, link) == 0 else { throw SystemCallError("symlink") }
        #expect(try TrustedPath.check(link) == objects)
    }
}
