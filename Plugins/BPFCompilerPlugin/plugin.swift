import Foundation
import PackagePlugin

/// Compiles every `bpf/*.bpf.c` into a CO-RE object with the toolchain's clang and embeds it
/// in the target as a base64 string literal, so `kmon` carries its programs and never reads
/// them from the working directory.
@main
struct BPFCompilerPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let bpfDir = context.package.directoryURL.appending(path: "bpf")
        let script = bpfDir.appending(path: "embed.sh")
        let clang = try context.tool(named: "clang").url
        let outDir = context.pluginWorkDirectoryURL

        let fm = FileManager.default
        let entries = try fm.contentsOfDirectory(atPath: bpfDir.path()).sorted()
        let sources = entries.filter { $0.hasSuffix(".bpf.c") }
        let headers = (entries.filter { $0.hasSuffix(".h") }.map { bpfDir.appending(path: $0) })
            + (try fm.contentsOfDirectory(atPath: bpfDir.appending(path: "include").path())
                .filter { $0.hasSuffix(".h") }
                .map { bpfDir.appending(path: "include").appending(path: $0) })

        var commands: [Command] = sources.map { file in
            let name = String(file.dropLast(".bpf.c".count))
            let output = outDir.appending(path: "\(name).bpf.swift")
            return .buildCommand(
                displayName: "Compiling BPF program \(file)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path(), "object", clang.path(), bpfDir.appending(path: file).path(), name, output.path()],
                inputFiles: [script, bpfDir.appending(path: file)] + headers,
                outputFiles: [output]
            )
        }
        let index = outDir.appending(path: "EmbeddedBPFIndex.swift")
        commands.append(.buildCommand(
            displayName: "Indexing BPF programs",
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: [script.path(), "index", index.path()] + sources.map { String($0.dropLast(".bpf.c".count)) },
            inputFiles: [script],
            outputFiles: [index]
        ))
        return commands
    }
}
