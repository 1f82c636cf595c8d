import Glibc

/// Whether root may trust what is at a path (code it will load, `--base-objects`): the path and
/// every directory above it, up to /, can be changed only by root or the user who ran kmon.
/// A directory others may write to is allowed only above the path, when it is sticky and the
/// entry below it is ours (/tmp holding a `mktemp -d` directory): nobody else can then rename
/// or replace that entry.
public enum TrustedPath {
    public struct Untrusted: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Root, this process's user, and the user who ran `sudo kmon` (it could run anything as root).
    static var trustedOwners: Set<uid_t> {
        var owners: Set<uid_t> = [0, getuid(), geteuid()]
        if getuid() == 0, let sudo = getenv("SUDO_UID").flatMap({ uid_t(String(cString: $0)) }) { owners.insert(sudo) }
        return owners
    }

    /// Checks `path` and its parents; returns the path with symlinks resolved, which the caller
    /// then uses, so a link swapped after the check changes nothing.
    @discardableResult
    public static func check(_ path: String) throws -> String {
        guard let resolvedPointer = realpath(path, nil) else {
            throw Untrusted(description: "\(path): \(String(cString: strerror(errno)))")
        }
        let resolved = String(cString: resolvedPointer)
        free(resolvedPointer)
        var chain = ["/"]
        var prefix = ""
        for component in resolved.split(separator: "/") {
            prefix += "/" + component
            chain.append(prefix)
        }
        var child: stat?
        for entry in chain.reversed() {
            var info = stat()
            guard lstat(entry, &info) == 0 else { throw Untrusted(description: "\(entry): \(String(cString: strerror(errno)))") }
            if let problem = problem(info, child: child) { throw Untrusted(description: "\(entry) \(problem)") }
            child = info
        }
        return resolved
    }

    /// Why `info` cannot be trusted; `child` is the entry below it on the path (nil for the path itself).
    static func problem(_ info: stat, child: stat?) -> String? {
        let owners = trustedOwners
        guard owners.contains(info.st_uid) else { return "belongs to uid \(info.st_uid), neither root nor you" }
        guard info.st_mode & 0o022 != 0 else { return nil }
        let sticky = info.st_mode & S_IFMT == S_IFDIR && info.st_mode & S_ISVTX != 0
        if sticky, let child, owners.contains(child.st_uid) { return nil }
        return "can be written by other users (mode \(String(info.st_mode & 0o7777, radix: 8)))"
    }
}
