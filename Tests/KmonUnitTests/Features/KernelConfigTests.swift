import Foundation
import Glibc
@testable import KmonFeatures
import KmonTestSupport
import Testing

/// /proc/config.gz is read with zlib in process: no `zcat` from PATH runs as root.
@Suite(.serialized)
struct KernelConfigTests {
    static func scratch() throws -> String {
        try makeTemporaryDirectory("kmon-kconfig")
    }

    @Test func aGzipFileIsReadInProcessWithoutPATH() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = (0..<5000).map { "CONFIG_OPTION_\($0)=y" }.joined(separator: "\n") + "\n# CONFIG_KPROBES is not set\n"
        let path = directory + "/config.gz"
        try text.write(toFile: directory + "/config", atomically: false, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-9", directory + "/config"]
        try gzip.run()
        gzip.waitUntilExit()
        // A zcat first in PATH that leaves a mark if anything runs it.
        let marker = directory + "/zcat-ran"
        try "#!/bin/sh\ntouch \(marker)\n".write(toFile: directory + "/zcat", atomically: false, encoding: .utf8)
        chmod(directory + "/zcat", 0o755)
        let path0 = ProcessInfo.processInfo.environment["PATH"] ?? ""
        setenv("PATH", directory + ":" + path0, 1)
        defer { setenv("PATH", path0, 1) }

        let config = try #require(KernelConfig.read(path))
        #expect(config.text == text)
        #expect(config.isDisabled("CONFIG_KPROBES"))
        #expect(!config.isDisabled("CONFIG_OPTION_4999"))
        _ = KernelConfig.current()
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func missingOrOversizedIsNil() throws {
        #expect(KernelConfig.read("/nonexistent/config.gz") == nil)
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let big = directory + "/big"
        FileManager.default.createFile(atPath: big, contents: Data(repeating: 0x41, count: KernelConfig.maximumBytes + 1))
        #expect(KernelConfig.read(big) == nil, "more than a configuration can be")
    }
}
