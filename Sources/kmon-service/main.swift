import Glibc
import KmonWorkload

// One microservice of a workload spec; see ServiceArguments for the command line.
do {
    try ServiceMain.run(try ServiceArguments(CommandLine.arguments.dropFirst()))
} catch {
    fputs("kmon-service: \(error)\n", stderr)
    exit(error is WorkloadSpecError ? 65 : 1)
}
