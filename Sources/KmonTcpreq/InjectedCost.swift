import BPF
import Foundation
import Glibc
import KmonFeatures
import KmonSupport

/// Turns "about N more ns per program run" into loops of `kmon_inject` (bpf/kmon_inject.bpf.h),
/// by timing test runs of the calibration program with and without a known number of loops.
public enum InjectedCost {
    static let probeLoops: UInt32 = 20_000

    /// ns one loop costs on this CPU: the median wall time of a test run with `probeLoops` loops
    /// minus that of one with none, over 301 runs each (on CPU 0: the cross-CPU call costs both alike).
    public static func nanosecondsPerLoop() throws -> Double {
        func medianRunNs(loops: UInt32) throws -> Double {
            let object = try HookProbe.loadAlone("kmon_inject_calibrate", maps: []) { object in
                try object.setGlobal("targ_inject_loops", to: loops)
            }
            let program = try object.program("kmon_inject_calibrate")
            var times: [UInt64] = []
            for _ in 0..<301 {
                let start = MonotonicClock.now()
                try program.run(onCPU: 0, arguments: [0])
                times.append(MonotonicClock.now() - start)
            }
            return Double(times.sorted()[times.count / 2])
        }
        let empty = try medianRunNs(loops: 0), spun = try medianRunNs(loops: probeLoops)
        guard spun > empty else {
            throw TcpreqError.kernel("calibrating --inject-ns: \(probeLoops) loops took no measurable time")
        }
        return (spun - empty) / Double(probeLoops)
    }

    /// Loops for about `nanoseconds` more per run, at `perLoop` ns a loop.
    public static func loops(forNanoseconds nanoseconds: Double, perLoop: Double) -> UInt32 {
        UInt32(min(Double(100_000), max(0, (nanoseconds / perLoop).rounded())))
    }
}
