/// An arm's probe or collector could not start on this kernel (beyond what the hook checks
/// found): the bench skips the arm with this reason and goes on with the others.
struct ArmStartError: Error {
    var arm: BenchArm
    var reason: String
}
