import Foundation
import Testing

/// deploy/Containerfile cannot be built here (no container engine with a registry), so what can
/// be checked offline is: every COPY source exists and is not excluded from the context, the
/// build stage has what `swift build` needs, and the runtime stage the libraries kmon links.
@Suite("deploy/Containerfile")
struct ContainerfileTests {
    static func instructions() throws -> [(keyword: String, arguments: String)] {
        try DeployTree.text("deploy/Containerfile").split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), line.first != " " else { return nil }
            let parts = trimmed.split(separator: " ", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    @Test("every COPY from the context names a path in the repository that the ignore file keeps")
    func copySourcesExist() throws {
        let ignored = try DeployTree.text(".dockerignore").split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        let copies = try Self.instructions().filter { $0.keyword == "COPY" && !$0.arguments.hasPrefix("--from") }
        #expect(copies.count >= 5)
        for copy in copies {
            let words = copy.arguments.split(separator: " ").map(String.init)
            for source in words.dropLast() {
                let path = DeployTree.root.appendingPathComponent(source).path
                #expect(FileManager.default.fileExists(atPath: path), "COPY \(source): no such path in the repository")
                let top = source.split(separator: "/").first.map(String.init) ?? source
                #expect(!ignored.contains { $0 == top || $0 == source }, "COPY \(source) is excluded by .dockerignore")
            }
        }
        // Everything Package.swift needs to load: the targets' folders and the plugin.
        let copied = Set(copies.flatMap { $0.arguments.split(separator: " ").dropLast().map { String($0.split(separator: "/")[0]) } })
        #expect(copied.isSuperset(of: ["Package.swift", "Plugins", "bpf", "Sources", "Tests"]))
    }

    @Test("a Swift 6 build stage and a Debian 12 slim runtime stage with kmon's shared libraries")
    func stages() throws {
        let text = try DeployTree.text("deploy/Containerfile")
        let froms = try Self.instructions().filter { $0.keyword == "FROM" }.map(\.arguments)
        #expect(froms == ["${SWIFT_IMAGE} AS build", "${RUNTIME_IMAGE}"])
        #expect(text.contains("ARG SWIFT_IMAGE=docker.io/library/swift:6.") && text.contains("-bookworm"))
        #expect(text.contains("ARG RUNTIME_IMAGE=docker.io/library/debian:12-slim"))
        let build = text.components(separatedBy: "FROM ${RUNTIME_IMAGE}")
        #expect(build.count == 2)
        for package in ["libbpf-dev", "libelf-dev", "zlib1g-dev", "libcurl4-openssl-dev", "linux-libc-dev", "pkg-config"] {
            #expect(build[0].contains(" \(package)"), "the build stage lacks \(package)")
        }
        #expect(build[0].contains("clang -print-targets | grep -qw bpf"), "the build stage checks its clang can compile bpf/")
        #expect(build[0].contains("swift build -c release --static-swift-stdlib --product kmon"))
        for package in ["libbpf1", "libelf1", "libcurl4", "zlib1g"] {
            #expect(build[1].contains(" \(package)"), "the runtime stage lacks \(package)")
        }
        #expect(build[1].contains("COPY --from=build /usr/local/bin/kmon /usr/local/bin/kmon"))
        #expect(build[1].contains(#"ENTRYPOINT ["/usr/local/bin/kmon"]"#))
    }
}
