import Foundation
import KmonSystem

/// The CPUs the kernel has online, from /sys/devices/system/cpu/online ("0-3,6").
public enum OnlineCPUs {
    public static func current() throws -> [Int] {
        let path = "/sys/devices/system/cpu/online"
        let text = String(decoding: try ProcFile.bytes(path), as: UTF8.self)
        guard let cpus = parse(text) else { throw BPFError(call: "read", errno: EINVAL, context: "parsing \(path): \(text)") }
        return cpus
    }

    /// nil when `list` is not a kernel CPU list.
    public static func parse(_ list: String) -> [Int]? {
        var cpus: [Int] = []
        for range in list.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = range.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            switch bounds.count {
            case 1: guard let cpu = bounds[0] else { return nil }; cpus.append(cpu)
            case 2: guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }; cpus += Array(low...high)
            default: return nil
            }
        }
        return cpus.isEmpty ? nil : cpus
    }
}
