/// tables.md's noise sections: how noisy the machine was per level, next to the smallest
/// effect the run could have seen, and the spread of ns/run across loads of identical objects.
extension TablesRenderer {
    static func machineNoise(_ results: BenchResults) -> String {
        guard let noise = results.machineNoise, !noise.levels.isEmpty else { return "No phase has noise figures." }
        var text = "Per phase: steal (`/proc/stat`) and other tenants' CPU (the machine's task time less the services' and "
        text += "this process's), as % of all CPUs' time; CPU pressure (`/proc/pressure/cpu` some) as % of the window; "
        text += "throttling of the services' cgroups. A phase is flagged past "
        text += "\(Format.number(noise.stealLimitPercent, 0))% steal, \(Format.number(noise.otherLimitPercent, 0))% other tenants "
        text += "or any throttling; flagged phases were "
        text += noise.dropped ? "**left out** of every Δ (`--drop-noisy`; Invalid blocks)." : "kept (`--drop-noisy` leaves them out)."
        text += " A/A MDE: the smallest Δ this run could call, at each level.\n\n"
        return text + MarkdownTable.render(
            header: ["level", "phases", "flagged", "steal % med / max", "other CPU % med / max", "pressure % med", "throttled",
                     "A/A MDE p50 %", "A/A MDE CPU %"],
            rows: noise.levels.map { level in
                [level.load.map(Format.load) ?? level.level.description, String(level.phases), String(level.flagged),
                 "\(Format.number(level.stealMedianPercent, 2)) / \(Format.number(level.stealMaxPercent, 2))",
                 "\(Format.number(level.otherMedianPercent)) / \(Format.number(level.otherMaxPercent))",
                 Format.number(level.pressureMedianPercent, 0), String(level.throttledPhases),
                 Format.number(level.mdeP50Percent, 2), Format.number(level.mdeCPUPercent, 2)]
            },
            rightAligned: Set(1...8))
    }

    static func placement(_ results: BenchResults) -> String {
        guard let spreads = results.placement, !spreads.isEmpty else { return "No probe arm ran." }
        let every = results.config.reloadEvery
        var text = every.map { $0 > 0 ? "Every probe arm's objects are loaded afresh every \($0) blocks" : "Objects loaded once" }
            ?? "Objects loaded afresh at block boundaries"
        text += "; mean ns/run (all the arm's programs) of each load, and their spread. Identical objects differ only "
        text += "by where their code and maps landed, but each load's mean also carries its phases' own noise: \"phases alone\" "
        text += "is the CV the means would show from that noise with no placement effect.\n\n"
        return text + MarkdownTable.render(
            header: ["arm", "level", "loads", "ns/run per load", "CV %", "CV % phases alone", "max/min"],
            rows: spreads.map {
                [$0.arm, $0.load.map(Format.load) ?? $0.level.description, String($0.nanosecondsPerRun.count),
                 $0.nanosecondsPerRun.map { Format.number($0, 0) }.joined(separator: ", "), Format.number($0.cvPercent),
                 Format.number($0.phaseNoiseCVPercent), Format.number($0.maxOverMin, 3)]
            },
            rightAligned: [2, 4, 5, 6])
    }
}
