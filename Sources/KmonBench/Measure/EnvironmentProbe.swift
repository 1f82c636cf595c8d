import Foundation
import Glibc
import KmonSystem

extension BenchEnvironment {
    /// The machine the bench ran on, from uname and /proc.
    public static func current(bpfStats: String?) -> BenchEnvironment {
        var names = utsname()
        uname(&names)
        func field<T>(_ value: T) -> String { String(cCharArray: value) }
        let cpuinfo = ProcFile.read("/proc/cpuinfo") ?? ""
        let meminfo = ProcFile.read("/proc/meminfo") ?? ""
        return BenchEnvironment(
            kernel: "\(field(names.sysname)) \(field(names.release)) \(field(names.version))",
            cpu: cpuModel(cpuinfo: cpuinfo) ?? "unknown",
            cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
            machine: field(names.machine),
            hostname: field(names.nodename),
            memoryMB: memoryMegabytes(meminfo: meminfo),
            bpfStats: bpfStats)
    }

    static func cpuModel(cpuinfo: String) -> String? {
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }

    static func memoryMegabytes(meminfo: String) -> Double? {
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemTotal:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }.map { $0 / 1024 }
        }
        return nil
    }
}
