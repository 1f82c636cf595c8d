import KmonSystem

/// What a probe has counted since load; subtract two to get one phase's share.
struct ProbeCounters: Sendable {
    var programs: [String: ProgramRunStats]
    var lost: UInt64
    var agentCPUMicroseconds: Double

    static func - (after: ProbeCounters, before: ProbeCounters) -> ProbeCounters {
        var programs: [String: ProgramRunStats] = [:]
        for (name, stats) in after.programs {
            programs[name] = before.programs[name].map(stats.since) ?? stats
        }
        return ProbeCounters(programs: programs, lost: after.lost &- before.lost,
                             agentCPUMicroseconds: after.agentCPUMicroseconds - before.agentCPUMicroseconds)
    }

    var runs: UInt64 { programs.values.totalRunCount }
}
