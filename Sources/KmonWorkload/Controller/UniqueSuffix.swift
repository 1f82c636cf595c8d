import Glibc
import Synchronization

/// Short names unique among concurrent workloads on one host: base-36 of the pid (4 chars) plus
/// a per-process counter (1 char), so interface names stay within the kernel's 15 bytes.
enum UniqueSuffix {
    private static let counter = Atomic<Int>(0)

    static func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).oldValue
        return base36(Int(getpid()) % 1_679_616, width: 4) + base36(n % 36, width: 1)
    }

    static func base36(_ value: Int, width: Int) -> String {
        let digits = String(value, radix: 36)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
