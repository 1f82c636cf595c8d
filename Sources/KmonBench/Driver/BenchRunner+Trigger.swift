import KmonWorkload

/// The trigger level's part of a bench: the driver is started before the probes load, so its
/// pid joins every arm's filter, and its level runs after the load levels, with no load running.
extension BenchRunner {
    /// The driver, or nil when the plan has no trigger level or it cannot start (noted; the
    /// rest of the bench runs without it).
    func startTriggerDriver(progress: BenchProgress) -> TriggerProcess? {
        guard plan.lengths.triggerBlocks > 0, plan.lengths.triggerIterations > 0 else { return nil }
        do {
            return try TriggerProcess(executable: WorkloadOptions.defaultServiceExecutable)
        } catch {
            progress.note("no trigger level: \(error)")
            return nil
        }
    }

    /// Runs the trigger level into `part`; false when interrupted.
    func measureTrigger(driver: TriggerProcess, inPlace: InPlaceRun, schedule: BenchSchedule, progress: BenchProgress,
                        part: inout OverheadPart) -> Bool {
        let iterations = plan.lengths.triggerIterations
        progress.note("trigger: no load, \(schedule.triggerBlocks) blocks of \(schedule.arms.count) arms, "
            + "\(iterations) driver iterations per phase (pid \(driver.pid), one loopback connection)")
        let run = TriggerRun(driver: driver, probes: inPlace, stop: stop)
        guard let phases = run.run(schedule.runs(of: .trigger), iterations: iterations, reloadEvery: plan.reloadEvery, progress: { phase, _ in
            progress.step("\(phase.level) · block \(phase.block + 1) · \(phase.arm.name)")
        }) else { return false }
        part.phases += phases
        if let reason = phases.last?.invalidReason { progress.note("trigger level stopped: \(reason)") }
        return true
    }
}
