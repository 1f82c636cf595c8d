import BPF
import CKmonEvents

/// Reads stacks from a collector's `stacks` map and names their frames: kernel frames through
/// /proc/kallsyms, user frames through the process's maps and ELF symbols.
final class StackSymbolizer {
    private let map: BPFMap
    private let kernel: KernelSymbols
    private let files = ELFFileCache()
    private var processes: [Int32: ProcessSymbols] = [:]

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
        return addresses(id).map { symbols.symbolize($0) ?? hex($0) }
    }

    /// Forgets cached process maps, e.g. between snapshots, so new libraries are seen.
    func forgetProcesses() { processes = [:] }

    private func process(_ pid: Int32) -> ProcessSymbols {
        if let known = processes[pid] { return known }
        let symbols = ProcessSymbols(pid: pid, files: files)
        processes[pid] = symbols
        return symbols
    }

    private func hex(_ address: UInt64) -> String { "0x" + String(address, radix: 16) }
}
