import BPF
import CKmonEvents
import Glibc
import KmonSupport

/// Kernel mode: sends each CPU's batch of spans that stopped filling by running
/// `tcpreq_flush_batch` on that CPU (`BPF_PROG_TEST_RUN` there: an interrupt on that CPU).
///
/// The periodic round (`flushStalled`) first reads every CPU's batch slot in one map lookup
/// and runs the program only where it would send something: a batch with spans, older than
/// the program's own wait. Running it on every CPU each round cost the agent an IPI and a
/// /sys read per CPU, most of its CPU at a few hundred requests per second. The program still
/// decides, so what is sent is unchanged.
final class BatchFlusher {
    let program: BPFProgram
    /// `pending_spans`, or nil where its value is not this build's `tcpreq_batch_slot` (an
    /// object from another build): then every round runs the program on every online CPU.
    private let slots: PerCPUValues?

    static let slotSize = MemoryLayout<tcpreq_batch_slot>.size
    static let lastFlushOffset = MemoryLayout<tcpreq_batch_slot>.offset(of: \tcpreq_batch_slot.last_flush_ns)!
    static let countOffset = MemoryLayout<tcpreq_batch_slot>.offset(of: \tcpreq_batch_slot.batch)!
        + MemoryLayout<tcpreq_batch>.offset(of: \tcpreq_batch.count)!
    /// Below the program's `BATCH_WAIT_NS` (10 ms), so no batch it would send is skipped.
    static let skipYoungerThanNanoseconds: UInt64 = 5_000_000

    init(program: BPFProgram, slots: BPFMap?) {
        self.program = program
        self.slots = slots.flatMap { $0.valueSize == Self.slotSize ? PerCPUValues(map: $0) : nil }
    }

    /// Whether rounds read the slots first (this build's object), rather than run everywhere.
    var readsSlots: Bool { slots != nil }

    /// Sends every batch, however young, on every online CPU (start and stop). It waits out a
    /// hook still finishing on that CPU (the program answers 1 while the slot is in use).
    func flushAll() throws {
        for cpu in try OnlineCPUs.current() {
            var busy = try program.run(onCPU: cpu, arguments: [1]) != 0
            for _ in 0..<100 where busy {
                usleep(1_000)
                busy = try program.run(onCPU: cpu, arguments: [1]) != 0
            }
            if busy { throw TcpreqError.kernel("the span batch on CPU \(cpu) stayed in use for 100 ms after the hooks were detached") }
        }
    }

    /// Sends the batches that stopped filling (the periodic round). A slot in use is left for
    /// the next round.
    func flushStalled() throws {
        guard let slots else {
            for cpu in try OnlineCPUs.current() { _ = try program.run(onCPU: cpu, arguments: [0]) }
            return
        }
        guard try slots.read(UInt32(0)) else { return }
        let now = MonotonicClock.now()
        for cpu in 0..<slots.cpus {
            let slot = slots.value(onCPU: cpu)
            let count = slot.loadUnaligned(fromByteOffset: Self.countOffset, as: UInt32.self)
            let lastFlush = slot.loadUnaligned(fromByteOffset: Self.lastFlushOffset, as: UInt64.self)
            guard count > 0, now &- lastFlush > Self.skipYoungerThanNanoseconds else { continue }
            do { _ = try program.run(onCPU: cpu, arguments: [0]) } catch {
                // Gone offline since its spans were batched: as before, its batch waits for it.
                if (try? OnlineCPUs.current().contains(cpu)) == false { continue }
                throw error
            }
        }
    }
}
