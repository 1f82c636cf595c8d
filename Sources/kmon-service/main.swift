import Glibc
import KmonWorkload

// One microservice of a workload spec; see ServiceArguments for the command line. Exit codes as
// kmon's: 64 for bad flags, 65 for a spec (or a service it does not name) that cannot run.
// Hidden: `--trigger` alone runs the bench's trigger driver instead (TriggerDriver).
if CommandLine.arguments.dropFirst().first == TriggerDriver.flag {
    exit(TriggerDriver.main())
}
let arguments: ServiceArguments
do {
    arguments = try ServiceArguments(CommandLine.arguments.dropFirst())
} catch {
    fputs("kmon-service: \(error)\n", stderr)
    exit(64)
}
do {
    try ServiceMain.run(arguments)
} catch {
    fputs("kmon-service: \(error)\n", stderr)
    exit(error is WorkloadSpecError || error is ServiceArgumentsError ? 65 : 1)
}
