import Foundation

/// Runs iproute2's `ip`, the tool people use to inspect what it made, so every step has an
/// equivalent a person can type. Errors carry the command and ip's own message.
enum IPCommand {
    struct Failure: Error, CustomStringConvertible {
        let command: String
        let message: String
        var description: String { "\(command) failed: \(message)" }
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(command: "ip " + arguments.joined(separator: " "), message: "\(error)")
        }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(command: "ip " + arguments.joined(separator: " "),
                          message: String(decoding: err, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static var executable: String {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/sbin/ip"
    }
}
