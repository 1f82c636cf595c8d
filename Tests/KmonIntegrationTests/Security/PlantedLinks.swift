import Foundation
import Glibc
import KmonSystem
import KmonTestSupport

/// The setup of a hostile local user: `nobody` owns a directory (in a sticky, world-writable
/// one, like /tmp) and plants symlinks in it to a file only root may write. Root is then told
/// to write there. Removed on deinit.
final class PlantedLinks {
    static let nobody: uid_t = 65534
    static let secretText = "root only\n"

    let root: String
    /// A root-owned file in a 0700 root directory.
    let secret: String
    /// nobody's own directory.
    let userDirectory: String

    init() throws {
        root = try makeTemporaryDirectory("kmon-planted")
        chmod(root, 0o755)
        let vault = root + "/vault"
        mkdir(vault, 0o700)
        secret = vault + "/secret"
        try Self.secretText.write(toFile: secret, atomically: false, encoding: .utf8)
        let sticky = root + "/tmp"
        mkdir(sticky, 0o755)
        chmod(sticky, 0o1777)
        userDirectory = sticky + "/nobody"
        mkdir(userDirectory, 0o755)
        guard chown(userDirectory, Self.nobody, Self.nobody) == 0 else { throw SystemCallError("chown(\(userDirectory))") }
    }

    /// `ln -s target userDirectory/name`, run as nobody; returns the link's path.
    @discardableResult
    func plant(_ name: String, to target: String? = nil) throws -> String {
        let link = userDirectory + "/" + name
        let result = try runCommand(URL(fileURLWithPath: "/bin/ln"), ["-s", target ?? secret, link], asUser: "nobody")
        guard result.status == 0 else { throw SystemCallError("ln -s as nobody: \(result.stderr)", errno: EPERM) }
        return link
    }

    /// The secret as it is now, and whether it is still root's.
    var secretIsUntouched: Bool {
        var info = stat()
        return (try? String(contentsOfFile: secret, encoding: .utf8)) == Self.secretText
            && stat(secret, &info) == 0 && info.st_uid == 0
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }
}
