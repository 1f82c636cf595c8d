/// What a probe has counted since load; subtract two to get one phase's share.
struct ProbeCounters: Sendable {
    var programs: [String: RunMeasurement.ProgramCost]
    var lost: UInt64
    var agentCPUMicroseconds: Double

    static func - (after: ProbeCounters, before: ProbeCounters) -> ProbeCounters {
        var programs: [String: RunMeasurement.ProgramCost] = [:]
        for (name, cost) in after.programs {
            let old = before.programs[name] ?? .init(runs: 0, nanoseconds: 0)
            programs[name] = .init(runs: cost.runs &- old.runs, nanoseconds: cost.nanoseconds &- old.nanoseconds)
        }
        return ProbeCounters(programs: programs, lost: after.lost &- before.lost,
                             agentCPUMicroseconds: after.agentCPUMicroseconds - before.agentCPUMicroseconds)
    }

    var runs: UInt64 { programs.values.reduce(0) { $0 + $1.runs } }
}
