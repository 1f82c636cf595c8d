import Foundation
import Yams

/// The repository's deploy/ tree, read for the deployment tests: paths, YAML documents, and
/// the one subprocess they run (kubernetes-validate).
enum DeployTree {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var kubernetes: URL { root.appendingPathComponent("deploy/kubernetes") }

    /// Every Kubernetes object file under deploy/kubernetes: the `*.yaml` files that are not a
    /// kustomization (kustomize's own format, which has no API schema).
    static func manifests() throws -> [URL] {
        let files = FileManager.default.enumerator(at: kubernetes, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL } ?? []
        return files.filter { $0.pathExtension == "yaml" && $0.lastPathComponent != "kustomization.yaml" }
            .sorted { $0.path < $1.path }
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    /// One YAML document as nested dictionaries and arrays.
    static func object(_ relative: String) throws -> [String: Any] {
        guard let value = try Yams.load(yaml: try text(relative)) as? [String: Any] else {
            throw DeployTreeError("\(relative): not a YAML mapping")
        }
        return value
    }

    /// kubernetes-validate from PyPI, in the venv scripts/setup makes (KMON_KUBERNETES_VALIDATE overrides).
    static var validator: String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["KMON_KUBERNETES_VALIDATE"] { return path }
        let cache = env["KMON_CACHE"] ?? ((env["XDG_CACHE_HOME"] ?? ((env["HOME"] ?? "/root") + "/.cache")) + "/kmon")
        return cache + "/kubernetes-validate/bin/kubernetes-validate"
    }

    /// Runs a command and returns its exit status and its output, stdout and stderr together.
    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Walks nested YAML values by key and index: `value["spec", "template", 0]`.
func lookup(_ value: Any?, _ path: Any...) -> Any? {
    path.reduce(value) { current, step in
        if let key = step as? String { return (current as? [String: Any])?[key] }
        if let index = step as? Int, let array = current as? [Any], array.indices.contains(index) { return array[index] }
        return nil
    }
}

struct DeployTreeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
