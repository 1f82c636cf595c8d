import Foundation
import Glibc
import Testing

/// Gate for tests that need root: real BPF programs, network namespaces, mounts.
///
/// Without root they are skipped, and the skip says why. With `KMON_REQUIRE_BPF=1` (set by
/// `.ci/run`) they run anyway and fail on `Privileged.check()`, so CI cannot pass by skipping.
enum Privileged {
    static var required: Bool { ProcessInfo.processInfo.environment["KMON_REQUIRE_BPF"] == "1" }
    static var isRoot: Bool { geteuid() == 0 }

    static var enabled: ConditionTrait {
        .enabled(if: isRoot || required,
                 "needs root for eBPF and network namespaces; run as root (KMON_REQUIRE_BPF=1 turns this skip into a failure)")
    }

    /// Call first in a privileged test: records a failure when root is required but missing.
    static func check() throws {
        if !isRoot {
            Issue.record("KMON_REQUIRE_BPF=1 but the tests are not running as root")
            throw PrivilegeMissing()
        }
    }

    struct PrivilegeMissing: Error {}
}

/// Paths to the package's own executables, built beside the test bundle.
enum BuildProducts {
    /// The build folder: the test runner executable lives there, beside `kmon` and `kmon-service`.
    static var directory: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static func executable(_ name: String) -> URL {
        directory.appendingPathComponent(name)
    }
}
