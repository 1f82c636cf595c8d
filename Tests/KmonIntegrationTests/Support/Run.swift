import Foundation

/// Runs a command to completion and captures what it printed.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

func runCommand(_ executable: URL, _ arguments: [String], asUser user: String? = nil,
                environment extra: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    if !extra.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new } }
    if let user {
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", user, "--", executable.path] + arguments
    } else {
        process.executableURL = executable
        process.arguments = arguments
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a chatty child cannot block on a full pipe.
    let errBox = DataBox()
    let errDone = DispatchSemaphore(value: 0)
    DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); errDone.signal() }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    errDone.wait()
    let errData = errBox.data
    return CommandResult(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

private final class DataBox: @unchecked Sendable { var data = Data() }
