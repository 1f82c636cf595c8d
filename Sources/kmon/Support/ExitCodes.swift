import ArgumentParser
import BPF
import Foundation
import KmonSystem

/// Exit codes are part of kmon's interface: scripts and CI rely on them.
enum ExitCodes {
    static let failure = ExitCode(1)
    /// `bench --check`: a regression against the baseline.
    static let regression = ExitCode(2)
    /// `bench --check`: improvements only.
    static let improvement = ExitCode(4)
    /// Bad flags or arguments (swift-argument-parser's validation exit code).
    static let usage = ExitCode(64)
    /// Bad input file: workload spec, config, baseline.
    static let badInput = ExitCode(65)
    /// The kernel cannot do what was asked (a hook it lacks).
    static let unavailable = ExitCode(69)
    /// Not root, or missing capabilities.
    static let noPermission = ExitCode(77)
    /// Stopped by SIGINT or SIGTERM after cleaning up.
    static let interrupted = ExitCode(130)

    static let documentation = """
        Exit codes: 0 success; 1 failure; 2 regression (bench --check); 4 improvements only \
        (bench --check); 64 bad flags (a number out of its range, a --pid or --cgroup that names nothing, an output path that cannot be written); \
        65 bad input file (or a number in it out of range, or credentials a sink refused at start); 69 kernel lacks a needed hook; \
        77 not root; 130 interrupted (SIGINT or SIGTERM).
        """
}

/// Refuses, before a command runs, an output file it could not write at the end (a symlink,
/// a missing directory): one line naming the flag and the path, exit 64.
func checkOutput(_ path: String, flag: String) throws {
    do { try OutputFile.check(path) } catch {
        printError("\(flag) \(error)")
        throw ExitCodes.usage
    }
}

/// Stops a command that needs BPF privileges, with one line saying why.
func requireBPFPrivileges() throws {
    guard Privileges.current().canLoadBPF else {
        printError(Privileges.explanation)
        throw ExitCodes.noPermission
    }
}
