import BPF
import Foundation
@testable import KmonBench
import KmonSupport
import KmonSystem
import KmonWorkload
import Logging
import Testing

/// Reloading every probe's objects mid-run (placement as noise, `ProbeReloads`): real loads,
/// real links on the services of chain3, and nothing of them left afterwards.
@Suite(.serialized, Privileged.enabled)
struct ObjectReloadTests {
    /// The BPF programs and links this process holds a descriptor of, by kernel id (/proc/self/fdinfo).
    static func ownBPFObjects() -> (programs: Set<UInt32>, links: Set<UInt32>) {
        var programs: Set<UInt32> = [], links: Set<UInt32> = []
        for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fdinfo")) ?? [] {
            guard let text = ProcFile.read("/proc/self/fdinfo/\(fd)") else { continue }
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "\t").flatMap { $0.split(separator: " ") }
                guard parts.count == 2, let id = UInt32(parts[1]) else { continue }
                if parts[0] == "prog_id:" { programs.insert(id) }
                if parts[0] == "link_id:" { links.insert(id) }
            }
        }
        return (programs, links)
    }

    /// chain3's services on loopback, and a loader of one arm's objects on them, as the bench has.
    static func chain3() throws -> (RunningWorkload, (BenchArm) throws -> ArmProbe?) {
        let workload = try WorkloadController.start(
            spec: WorkloadSpec.load(path: BenchProcess.chain3),
            options: WorkloadOptions(mode: .loopback, ephemeralPorts: true, serviceExecutable: BuildProducts.executable("kmon-service").path))
        let logger = Logger(label: "kmon-test")
        let pids = workload.services.map(\.pid)
        return (workload, { arm in try ArmProbe.load(arm, pids: pids, objects: ProbeObjects(), attached: false, logger: logger) })
    }

    @Test func reloadingObjectsMidRunLeavesNoStrayLinksOrPrograms() throws {
        try Privileged.check()
        let before = Self.ownBPFObjects()
        var seenPrograms: Set<UInt32> = [], seenLinks: Set<UInt32> = []
        do {
            let (workload, load) = try Self.chain3()
            defer { workload.stop() }
            let arms: [BenchArm] = [.baseline, .baselineRepeat, .probe(.empty), .probe(.sock, mode: .kernel)]
            var probes: [BenchArm: ArmProbe] = [:]
            for arm in arms { probes[arm] = try load(arm) }
            let reloads = ProbeReloads(load: load)
            let run = InPlaceRun(workload: workload, probes: probes, stop: StopToken(), benchStart: MonotonicClock.now(), reloads: reloads)
            probes = [:]
            defer { run.unloadAll() }
            let first = Self.ownBPFObjects()
            #expect(first.programs.count > before.programs.count && first.links.isSubset(of: before.links))

            // Four blocks, objects reloaded before each block after the first: three reloads mid-run.
            let schedule = BenchSchedule(arms: arms, loadPercents: [50], saturationBlocks: 0, loadBlocks: 4, seed: 5)
            let outcome = try #require(try run.run(schedule.runs(of: .load(percent: 50)), rate: 400, settings: .init(
                phaseSeconds: 0.25, settleSeconds: 0.05, warmupSeconds: 0.2, connections: 2, seed: 9, reloadEvery: 1)))
            #expect(outcome.failure == nil)
            let phases = outcome.phases
            #expect(phases.count == arms.count * 4)
            // Each block ran on its own load of the objects, and no other copy ever ran.
            for phase in phases {
                #expect(phase.strayRuns == 0, "\(phase.run.arm.name) block \(phase.run.block): \(phase.strayRuns) stray runs")
                if !phase.run.arm.isBaseline { #expect(phase.objectsLoad == phase.run.block) }
                if phase.run.arm == .probe(.sock, mode: .kernel) { #expect(phase.programs.values.contains { $0.runCount > 0 }) }
                #expect(phase.noise != nil)
            }
            #expect(reloads.loadIndex(.probe(.sock, mode: .kernel)) == 3)
            // The retired copies are gone when the run returns: one load of each probe is held.
            let after = Self.ownBPFObjects()
            #expect(after.programs.count == first.programs.count)
            #expect(after.programs.isDisjoint(with: first.programs.subtracting(before.programs)))
            #expect(after.links == before.links, "every probe is detached between runs")
            seenPrograms = first.programs.union(after.programs).subtracting(before.programs)
            seenLinks = first.links.union(after.links).subtracting(before.links)
        }
        #expect(Self.ownBPFObjects() == before)
        // System-wide too: none of our programs, nor a link to one, is left in the kernel.
        let deadline = MonotonicClock.now() + 2_000_000_000
        var leftPrograms: [UInt32] = [], leftLinks: [UInt32] = []
        repeat {
            leftPrograms = KernelObjects.programs().map(\.id).filter(seenPrograms.contains)
            leftLinks = KernelObjects.links().filter { seenPrograms.contains($0.programID) || seenLinks.contains($0.id) }.map(\.id)
            if leftPrograms.isEmpty && leftLinks.isEmpty { break }
            usleep(50_000)
        } while MonotonicClock.now() < deadline
        #expect(leftPrograms.isEmpty && leftLinks.isEmpty, "programs \(leftPrograms), links \(leftLinks)")
    }

    /// Stopped (Ctrl-C) after reloads began: the run returns nil only once every retired copy is
    /// unloaded, holding one load of each probe, all detached; unloading those leaves nothing.
    @Test func anInterruptAfterReloadsLeavesOneDetachedLoad() throws {
        try Privileged.check()
        let before = Self.ownBPFObjects()
        do {
            let (workload, load) = try Self.chain3()
            defer { workload.stop() }
            let arms: [BenchArm] = [.baseline, .probe(.empty), .probe(.sock, mode: .kernel)]
            var probes: [BenchArm: ArmProbe] = [:]
            for arm in arms { probes[arm] = try load(arm) }
            let first = Self.ownBPFObjects()
            let reloads = ProbeReloads(load: load)
            let stop = StopToken()
            let run = InPlaceRun(workload: workload, probes: probes, stop: stop, benchStart: MonotonicClock.now(), reloads: reloads)
            probes = [:]
            defer { run.unloadAll() }
            let schedule = BenchSchedule(arms: arms, loadPercents: [50], saturationBlocks: 0, loadBlocks: 20, seed: 6)
            let stopper = Thread {
                while reloads.loadIndex(.probe(.sock, mode: .kernel)) < 2 && !stop.isStopped { usleep(5_000) }
                stop.stop(reason: "test interrupt")
            }
            stopper.start()
            let outcome = try run.run(schedule.runs(of: .load(percent: 50)), rate: 400, settings: .init(
                phaseSeconds: 0.15, settleSeconds: 0.03, warmupSeconds: 0.1, connections: 2, seed: 9, reloadEvery: 1))
            #expect(outcome == nil, "an interrupted run returns nothing")
            #expect(reloads.loadIndex(.probe(.sock, mode: .kernel)) >= 2)
            let held = Self.ownBPFObjects()
            #expect(held.programs.count == first.programs.count && held.programs.isDisjoint(with: first.programs.subtracting(before.programs)))
            #expect(held.links == before.links)
        }
        #expect(Self.ownBPFObjects() == before)
    }
}
