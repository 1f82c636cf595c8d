import ArgumentParser
import Foundation
import KmonSupport
import KmonWorkload

struct WorkloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workload",
        abstract: "Run the sample microservices of a workload spec.",
        subcommands: [Up.self, Cleanup.self])

    struct Cleanup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove what workloads of killed kmon processes left behind (netns, veth, bridge, cgroups, temp files).",
            discussion: "Every `kmon workload up` does this at start too. Workloads of running processes are left alone.")

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let logger = logging.bootstrap()
            let result = WorkloadController.cleanUpAfterDeadControllers(logger: logger)
            for line in result.swept { print("removed \(line)") }
            if result.swept.isEmpty { print("nothing left behind") }
            if !result.failures.isEmpty { throw ExitCodes.failure }
        }
    }

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start every service of SPEC, print the endpoints, and run until Ctrl-C, SIGTERM, or a service dies.",
            discussion: """
                Each service is a kmon-service process named after the service (its comm). On exit, every \
                process, network namespace, veth and bridge device and temporary file is removed. A service \
                that dies is reported with its exit status and last log lines, and kmon exits with status 1.
                """)

        @Argument(help: "Workload spec (YAML), e.g. workloads/chain3.yaml.")
        var spec: String

        @Flag(help: "Run each service in its own network namespace on a bridge in 198.18.0.0/15 (needs root).")
        var netns = false

        @Option(help: "Directory for each service's ground-truth records (<service>.records).")
        var records: String?

        @Flag(help: "Give each service a free port instead of its spec port (loopback mode).")
        var ephemeralPorts = false

        @Flag(help: "Print the endpoints as JSON.")
        var json = false

        @OptionGroup var logging: LoggingOptions

        func run() throws {
            let logger = logging.bootstrap()
            let workloadSpec: WorkloadSpec
            do {
                workloadSpec = try WorkloadSpec.load(path: spec)
            } catch {
                printError(error)
                throw ExitCodes.badInput
            }
            if netns && geteuid() != 0 {
                printError("--netns needs root to create network namespaces and veth devices")
                throw ExitCodes.noPermission
            }
            let trap = SignalTrap()
            let options = WorkloadOptions(mode: netns ? .netns : .loopback, recordsDirectory: records,
                                          ephemeralPorts: ephemeralPorts, cancel: trap.token)
            let workload: RunningWorkload
            do {
                workload = try WorkloadController.start(spec: workloadSpec, options: options, logger: logger)
            } catch {
                printError(error)
                throw trap.token.isStopped ? ExitCodes.interrupted : ExitCodes.failure
            }
            print(try render(workload))
            fflush(stdout)

            while !trap.token.wait(seconds: 0.2) && !workload.serviceExited.isStopped {}
            let problems = workload.stop()
            if let death = workload.serviceExited.reason, !trap.token.isStopped {
                printError(death)
                throw ExitCodes.failure
            }
            if !problems.isEmpty { throw ExitCodes.failure }
            throw ExitCodes.interrupted
        }

        private func render(_ workload: RunningWorkload) throws -> String {
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                return String(decoding: try encoder.encode(workload.summary), as: UTF8.self)
            }
            var lines = ["workload \(workload.spec.name) (\(workload.mode.rawValue)): ingress \(workload.ingressURL)"]
            if let host = workload.hostAddress { lines.append("host address on the bridge: \(host)") }
            lines.append("")
            lines += TextTable.render(
                header: ["service", "pid", "endpoint", "netns", "records"],
                rows: workload.services.map {
                    [$0.name, String($0.pid), $0.endpoint.description, $0.namespace ?? "-", $0.recordsPath ?? "-"]
                })
            lines.append("")
            lines.append("Ctrl-C to stop.")
            return lines.joined(separator: "\n")
        }
    }
}
