import ArgumentParser
import KmonSupport

@main
struct KmonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kmon",
        abstract: "Transparent in-kernel monitoring of microservices with eBPF, and the harness that measures its cost and accuracy.",
        discussion: ExitCodes.documentation,
        version: KmonVersion.string,
        subcommands: [
            BenchCommand.self,
            CompareCommand.self,
            DoctorCommand.self,
            LoadCommand.self,
            MonitorCommand.self,
            WorkloadCommand.self,
        ]
    )
}
