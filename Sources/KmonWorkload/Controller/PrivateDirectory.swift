import Foundation
import Glibc
import KmonSystem

/// A directory only this user may write to, checked on every use: the ledgers in it tell a
/// later kmon what to kill and delete, so one another user could write to would let them steer
/// us. Created 0700 when missing; refused, with what to do, when it is a symlink, not a
/// directory, owned by another user, or writable by others.
enum PrivateDirectory {
    struct Refused: Error, CustomStringConvertible {
        let description: String
    }

    /// Creates `path` (its parents 0755) when missing and checks it; returns `path`.
    @discardableResult
    static func ensure(_ path: String) throws -> String {
        let parent = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw Refused(description: "\(SystemCallError("mkdir(\(path))"))") }
        try check(path)
        return path
    }

    static func check(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw Refused(description: "\(SystemCallError("lstat(\(path))"))") }
        let advice = "another user may have made it to steer kmon; remove it (or set XDG_RUNTIME_DIR) and run again"
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw Refused(description: "\(path) is not a directory (a symlink or a file) but must be one only you own: \(advice)")
        }
        guard info.st_uid == geteuid() else {
            throw Refused(description: "\(path) belongs to uid \(info.st_uid), not to you (uid \(geteuid())): \(advice)")
        }
        guard info.st_mode & 0o777 != 0o700 else { return }
        // Ours, only readable by others (made by an older kmon): nothing foreign can be in it.
        guard info.st_mode & 0o022 == 0, chmod(path, 0o700) == 0 else {
            throw Refused(description: "\(path) has mode \(String(info.st_mode & 0o777, radix: 8)), so other users can write into it; it must be 0700: \(advice)")
        }
    }
}
