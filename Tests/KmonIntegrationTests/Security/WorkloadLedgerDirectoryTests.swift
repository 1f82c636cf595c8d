import Foundation
import Glibc
import KmonSystem
import KmonTestSupport
import Testing

/// Workload ledgers say what a later kmon kills and deletes, so each user keeps them in a
/// directory of their own (0700, checked on every use), never in a shared /tmp/kmon-workloads
/// where another user could block every start, plant ledgers or have the victim's pids killed
/// and directories deleted. Users here: `daemon` (uid 1) the victim, `nobody` the neighbour,
/// both with TMPDIR pointing at a sticky scratch directory standing in for /tmp.
@Suite(.serialized, Privileged.enabled)
struct WorkloadLedgerDirectoryTests {
    let kmon = BuildProducts.executable("kmon")

    final class SharedTmp {
        let path: String

        init() throws {
            path = try makeTemporaryDirectory("kmon-sharedtmp")
            chmod(path, 0o1777)
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    func cleanup(as user: String, tmp: SharedTmp) throws -> CommandResult {
        try runCommand(kmon, ["workload", "cleanup"], asUser: user, environment: ["TMPDIR": tmp.path, "XDG_RUNTIME_DIR": ""])
    }

    static func owner(_ path: String) -> (uid: uid_t, mode: mode_t)? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return nil }
        return (info.st_uid, info.st_mode & 0o7777)
    }

    @Test func eachUserGetsAPrivateDirectory() throws {
        try Privileged.check()
        let tmp = try SharedTmp()
        for (user, uid) in [("daemon", uid_t(1)), ("nobody", uid_t(65534))] {
            let result = try cleanup(as: user, tmp: tmp)
            #expect(result.status == 0, "\(user): \(result.stderr)")
            let directory = Self.owner("\(tmp.path)/kmon-workloads-\(uid)")
            #expect(directory?.uid == uid && directory?.mode == 0o700, "\(user): \(String(describing: directory))")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.path + "/kmon-workloads"), "no directory shared by users")
    }

    @Test(arguments: ["directory", "symlink"])
    func aDirectoryAnotherUserMadeIsRefused(planted: String) throws {
        try Privileged.check()
        let tmp = try SharedTmp()
        let victims = tmp.path + "/kmon-workloads-1"
        let plant = planted == "directory" ? ["/bin/mkdir", "-m", "777", victims] : ["/bin/ln", "-s", tmp.path, victims]
        let planting = try runCommand(URL(fileURLWithPath: plant[0]), Array(plant.dropFirst()), asUser: "nobody")
        #expect(planting.status == 0, "\(planting.stderr)")
        let result = try cleanup(as: "daemon", tmp: tmp)
        #expect(result.status == 1)
        let reason = planted == "directory" ? "\(victims) belongs to uid 65534, not to you (uid 1)"
            : "\(victims) is not a directory (a symlink or a file)"
        #expect(result.stderr.contains(reason) && result.stderr.contains("remove it"), "\(result.stderr)")
    }

    @Test func aNeighbourCannotPlantALedger() throws {
        try Privileged.check()
        let tmp = try SharedTmp()
        #expect(try cleanup(as: "daemon", tmp: tmp).status == 0)
        let ledger = tmp.path + "/kmon-workloads-1/planted.json"
        let planting = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo {} > \(ledger)"], asUser: "nobody")
        #expect(planting.status != 0)
        #expect(!FileManager.default.fileExists(atPath: ledger))
    }

    /// A ledger of a dead owner that lists what kmon could not have made (a directory that is
    /// not a kmon scratch directory, a cgroup that is not kmon's) is reported and left alone:
    /// the directory stays, the process in the cgroup lives.
    @Test func aLedgerListingForeignThingsIsLeftAlone() throws {
        try Privileged.check()
        let tmp = try SharedTmp()
        #expect(try cleanup(as: "daemon", tmp: tmp).status == 0)
        let precious = tmp.path + "/precious"
        mkdir(precious, 0o700)
        chown(precious, 1, 1)
        let mount = try #require(Self.cgroup2Mount())
        let group = "\(mount)/victim-\(getpid())"
        #expect(mkdir(group, 0o755) == 0)
        let sleeper = try Self.sleeper(inGroup: group)
        defer {
            let members = (try? String(contentsOfFile: "\(group)/cgroup.procs", encoding: .utf8)) ?? ""
            for pid in members.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
            sleeper.waitUntilExit()
            for _ in 0..<50 where rmdir(group) != 0 { usleep(20_000) }
        }
        let forged = [
            ("directory", precious, "[]", "temporary directory \(precious) is not a kmon scratch directory"),
            ("cgroup", tmp.path + "/kmon-workload-gone", "[\"\(group)\"]", "cgroup \(group) is not a kmon cgroup"),
        ]
        for (name, directory, cgroups, _) in forged {
            let path = tmp.path + "/kmon-workloads-1/forged-\(name).json"
            try """
                {"ownerPid": 999999, "ownerStartTime": 1, "temporaryDirectory": "\(directory)", "links": [], "namespaces": [],
                 "cgroups": \(cgroups)}
                """.write(toFile: path, atomically: false, encoding: .utf8)
            chown(path, 1, 1)
        }
        let result = try cleanup(as: "daemon", tmp: tmp)
        #expect(result.status == 1)
        for (name, _, _, reason) in forged {
            #expect(result.stderr.contains("kmon-workloads-1/forged-\(name).json: \(reason); left alone"), "\(result.stderr)")
        }
        #expect(FileManager.default.fileExists(atPath: precious))
        #expect(sleeper.isRunning)
    }

    static func cgroup2Mount() -> String? {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 2 && fields[2] == "cgroup2" { return String(fields[1]) }
        }
        return nil
    }

    /// `sleep 60` as daemon, moved into `group`.
    static func sleeper(inGroup group: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", "daemon", "--", "/bin/sleep", "60"]
        try process.run()
        // runuser execs sleep in a child: move every process of the session.
        usleep(200_000)
        let children = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/task/\(process.processIdentifier)/children", encoding: .utf8)) ?? ""
        for pid in [String(process.processIdentifier)] + children.split(separator: " ").map(String.init) {
            try "\(pid)\n".write(toFile: "\(group)/cgroup.procs", atomically: false, encoding: .utf8)
        }
        return process
    }
}
