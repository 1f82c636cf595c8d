import BPF
import CKmonEvents
import Foundation

/// Reads stacks from a collector's `stacks` map and names their frames: kernel frames through
/// /proc/kallsyms, user frames through the process's maps and ELF symbols.
final class StackSymbolizer {
    /// Processes whose maps are kept between `forgetProcesses()` calls, at most: a long run
    /// (tcpdrop never forgets) sees new pids without end.
    static let maxProcesses = 256
    private let map: BPFMap
    private let kernel: KernelSymbols
    private let files = ELFFileCache()
    private var processes: [Int32: ProcessSymbols] = [:]
    private let lock = NSLock()
    private var report = SymbolizationReport()

    /// Frames skipped since the last `resetSymbolization()`.
    var symbolization: SymbolizationReport { lock.withLock { report } }
    func resetSymbolization() { lock.withLock { report = SymbolizationReport() } }

    /// Reads /proc/kallsyms now when kernel frames are wanted, so the first event is not late.
    init(map: BPFMap, kernelFrames: Bool) {
        self.map = map
        kernel = kernelFrames ? KernelSymbols.load() : KernelSymbols(kallsyms: "")
    }

    /// The raw addresses of a stack id, innermost first; empty for -1 or a missing id.
    func addresses(_ id: Int32) -> [UInt64] {
        guard id >= 0, let bytes = try? map.lookupBytes(UInt32(id)) else { return [] }
        return bytes.withUnsafeBytes { raw in
            Array(raw.bindMemory(to: UInt64.self).prefix { $0 != 0 })
        }
    }

    func kernelFrames(_ id: Int32) -> [String]? {
        guard id >= 0 else { return nil }
        return addresses(id).map { kernel.symbolize($0) ?? hex($0) }
    }

    func userFrames(_ id: Int32, pid: Int32) -> [String]? {
        guard id >= 0 else { return nil }
        let symbols = process(pid)
        return addresses(id).map { address in
            guard let frame = symbols.frame(address) else { return hex(address) }
            if let refused = frame.refused { lock.withLock { report.skip(refused) } }
            return frame.text
        }
    }

    /// Forgets cached process maps, e.g. between snapshots, so new libraries are seen.
    func forgetProcesses() { processes = [:] }

    private func process(_ pid: Int32) -> ProcessSymbols {
        if let known = processes[pid] { return known }
        if processes.count >= Self.maxProcesses { processes = [:] }
        let symbols = ProcessSymbols(pid: pid, files: files)
        processes[pid] = symbols
        return symbols
    }

    private func hex(_ address: UInt64) -> String { "0x" + String(address, radix: 16) }
}
