import ArgumentParser
import BPF
import Foundation
import KmonDoctor
import KmonFeatures

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the kernel, BTF, privileges, mounts, and which hook kinds really load and attach.",
        discussion: "Mounts tracefs and bpffs when they are missing and kmon runs as root.")

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        _ = logging.bootstrap()
        let report: DoctorReport
        do { report = try DoctorReport.gather(mountMissing: true) } catch let error as DisabledFeaturesError {
            printError(error)
            throw ExitCodes.usage
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.renderText())
        }
        if !report.canLoadBPF {
            printError(Privileges.explanation)
            throw ExitCodes.noPermission
        }
    }
}
