import Foundation
import Glibc

/// Rootful Podman as this VM allows it (docs/containers.md): Debian's runc (crun refuses the
/// hybrid cgroup layout), and a containers.conf with no default ulimits (CAP_SYS_RESOURCE is not
/// granted). No registry: a container's root is the host's / through an overlay (`--rootfs /:O`,
/// writes stay in the overlay), with the build folder and the test's folder mounted read-only,
/// and the host's network so the services keep their loopback ports.
final class Podman {
    static let binary = URL(fileURLWithPath: "/usr/bin/podman")
    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary.path) }

    let directory: URL
    private var names: [String] = []

    init() throws {
        directory = URL(fileURLWithPath: "/tmp/kmon-podman-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("[containers]\ndefault_ulimits = []\n".utf8).write(to: directory.appendingPathComponent("containers.conf"))
    }

    /// Output goes through files, not pipes: `podman run -d` leaves conmon holding its
    /// standard output, so a pipe would never reach end of file. Spawned and reaped here with
    /// waitpid: Foundation's Process did not see this child exit inside the test runner.
    func podman(_ arguments: [String]) throws -> CommandResult {
        let out = directory.appendingPathComponent("podman.out").path, err = directory.appendingPathComponent("podman.err").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = [Self.binary.path, "--runtime", "runc"] + arguments
        let environment = ProcessInfo.processInfo.environment.merging(
            ["CONTAINERS_CONF": directory.appendingPathComponent("containers.conf").path]) { _, new in new }.map { "\($0.key)=\($0.value)" }
        var cArgv = argv.map { strdup($0) } + [nil], cEnvironment = environment.map { strdup($0) } + [nil]
        defer { (cArgv + cEnvironment).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Self.binary.path, &actions, nil, &cArgv, &cEnvironment)
        guard spawned == 0 else { throw PodmanError(message: "cannot start podman: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return CommandResult(status: exited, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                             stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Starts `kmon-service` detached in container `name`; returns its id.
    @discardableResult
    func runService(name: String, arguments: [String], annotations: [String: String] = [:]) throws -> String {
        names.append(name)
        let build = BuildProducts.directory.path
        let result = try podman(["run", "-d", "--name", name, "--network", "host",
                                 "-v", "\(build):\(build):ro", "-v", "\(directory.path):\(directory.path):ro"]
                                + annotations.flatMap { ["--annotation", "\($0.key)=\($0.value)"] }
                                + ["--rootfs", "/:O", BuildProducts.executable("kmon-service").path] + arguments)
        guard result.status == 0 else { throw PodmanError(message: "podman run \(name): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `podman inspect`'s id, name and host pid: the oracle the attribution is checked against.
    func inspect(_ name: String) throws -> (id: String, name: String, pid: Int32) {
        let result = try podman(["inspect", "--format", "{{.Id}} {{.Name}} {{.State.Pid}}", name])
        let fields = result.stdout.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard result.status == 0, fields.count == 3, let pid = Int32(fields[2]) else {
            throw PodmanError(message: "podman inspect \(name): \(result.stdout) \(result.stderr)")
        }
        return (fields[0], fields[1], pid)
    }

    /// Removes every container this test started, running or not, and the folder.
    func removeAll() {
        if !names.isEmpty { _ = try? podman(["rm", "-f", "-t", "0"] + names) }
        names.removeAll()
        try? FileManager.default.removeItem(at: directory)
    }

    struct PodmanError: Error, CustomStringConvertible { var message: String; var description: String { message } }
}
