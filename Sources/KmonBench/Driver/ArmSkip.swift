/// An arm the run leaves out, kept as the arm itself while the bench runs: arms are told apart
/// by identity, never by name. Its name is written only into results.json's `skipped`.
struct ArmSkip: Sendable {
    var arm: BenchArm
    var reason: String

    var record: SkippedArm { SkippedArm(arm: arm.name, reason: reason) }
}

extension [ArmSkip] {
    func skips(_ arm: BenchArm) -> Bool { contains { $0.arm == arm } }
}
