import KmonSupport
@testable import KmonBench

/// Synthetic phases of an in-run gate: probe arms beside their `@base` and `@aa` twins in the same
/// blocks, on a machine that drifts 30% over the run, each program's ns/run jittered per phase.
enum GatePhases {
    static let sock = BenchArm.probe(.sock, mode: .kernel)
    static let syscall = BenchArm.probe(.syscall, mode: .kernel)

    static func arms(_ probes: [BenchArm] = [sock]) -> [BenchArm] {
        [.baseline, .baselineRepeat] + probes.flatMap { [$0, $0.with(.base), $0.with(.again)] }
    }

    struct Program {
        var runs: UInt64
        var nanoseconds: Double
    }

    /// 20 runs per request at 100 ns: often enough for ns/run to be tested on its own.
    static let hot = ["tcpreq_recv": Program(runs: 20_000, nanoseconds: 100)]

    /// `scale(arm, program)` multiplies a program's ns/run; `noise(load)` is the per-phase jitter (±).
    static func make(probes: [BenchArm] = [sock], loads: [Double] = [50], blocks: Int = 12, seed: UInt64 = 1,
                     programs: [String: Program] = hot, noise: (Double) -> Double = { _ in 0.01 },
                     scale: (BenchArm, String) -> Double = { _, _ in 1 }) -> [PhaseMeasurement] {
        var generator = SeededGenerator(seed: seed)
        let schedule = BenchSchedule(arms: arms(probes), loadPercents: loads, saturationBlocks: 0, loadBlocks: blocks, seed: seed)
        return schedule.runs().enumerated().map { index, run in
            let drift = 1 + 0.3 * Double(run.block) / Double(blocks)
            var m = PhaseMeasurement(run: run, startNanoseconds: UInt64(index) * 1000, endNanoseconds: UInt64(index) * 1000 + 900, switchNanoseconds: 0,
                                     offeredRPS: 1000)
            m.requests = 1000
            m.completed = 1000
            m.serviceCPUMicroseconds = 1000 * 150 * drift
            guard run.arm.variant != nil, case .load(let load) = run.level else { return m }
            let jitter = noise(load)
            for (name, program) in programs.sorted(by: { $0.key < $1.key }) {
                let ns = program.nanoseconds * scale(run.arm, name) * drift * (1 + Double.random(in: -jitter...jitter, using: &generator))
                m.programs[name] = .init(name: name, runCount: program.runs, runTimeNanoseconds: UInt64(ns * Double(program.runs)))
            }
            return m
        }
    }

    /// This build (and its A/A twin) `factor` times the base's cost.
    static func current(_ factor: Double) -> (BenchArm, String) -> Double {
        { arm, _ in arm.build == .base ? 1 : factor }
    }

    static func check(_ phases: [PhaseMeasurement], probes: [BenchArm] = [sock], loads: [Double] = [50], blocks: Int = 12,
                      gate: InRunGate = InRunGate()) -> RegressionGate.Report {
        gate.check(phases: phases, arms: arms(probes), loads: loads, blocks: blocks, seed: 3)
    }
}
