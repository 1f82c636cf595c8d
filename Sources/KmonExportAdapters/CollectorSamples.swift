import KmonCollectors
import KmonExport
import KmonSystem
/// Turns the other collectors' reports (tcpdrop, offcpu, biostat, fcount) into exporter input:
/// counters named by Prometheus conventions, losses per collector, and program statistics.
/// Labels come from bounded sets (kernel reasons, devices, chosen events); per-process labels go
/// through a `LabelBudget`, since a busy machine has thousands of processes.
public final class CollectorSamples: @unchecked Sendable {
    public struct Reading: Sendable {
        public var samples: [CollectorSample] = []
        public var lostEvents: [String: UInt64] = [:]
        public var programs: [ProgramRunStats] = []
    }

    private let processes: LabelBudget

    /// `processLimit` distinct process names keep their own `comm` label, the rest are `other`.
    public init(processLimit: Int = 32) {
        processes = LabelBudget(limit: processLimit)
    }

    /// Reads every collector; one that fails to read is left out of this reading.
    public func read(_ collectors: [any Collector]) -> Reading {
        var reading = Reading()
        for collector in collectors {
            guard let report = try? collector.anyReport() else { continue }
            reading.samples += samples(report)
            if let losses = try? collector.losses() { reading.lostEvents[collector.kind.rawValue] = losses.total }
            if let stats = try? collector.programStats() {
                reading.programs += stats
            }
        }
        return reading
    }

    public func samples(_ report: any CollectorReport) -> [CollectorSample] {
        switch report {
        case let r as TCPDropReport: return tcpdrop(r)
        case let r as OffCPUReport: return offcpu(r)
        case let r as BioStatReport: return biostat(r)
        case let r as FCountReport: return fcount(r)
        default: return []
        }
    }

    private func tcpdrop(_ r: TCPDropReport) -> [CollectorSample] {
        r.byKind.sorted { $0.key < $1.key }.map {
            CollectorSample(name: "kmon_tcp_events_total", help: "TCP drops, retransmits and resets seen by tcpdrop, by kind.",
                            kind: .counter, labels: ["kind": $0.key], value: Double($0.value))
        } + r.byReason.sorted { $0.key < $1.key }.map {
            CollectorSample(name: "kmon_tcp_drop_reasons_total", help: "TCP drops and sent resets by the kernel's reason.",
                            kind: .counter, labels: ["reason": $0.key], value: Double($0.value))
        }
    }

    private func offcpu(_ r: OffCPUReport) -> [CollectorSample] {
        var byProcess: [String: (switches: UInt64, nanoseconds: UInt64)] = [:]
        for thread in r.threads {
            let comm = processes.label(for: thread.comm)
            byProcess[comm, default: (0, 0)].switches += thread.count
            byProcess[comm, default: (0, 0)].nanoseconds += thread.totalNanoseconds
        }
        return byProcess.sorted { $0.key < $1.key }.flatMap { comm, totals in [
            CollectorSample(name: "kmon_offcpu_seconds_total", help: "Time threads spent off CPU (blocked or preempted), by process name.",
                            kind: .counter, labels: ["comm": comm], value: Double(totals.nanoseconds) / 1e9),
            CollectorSample(name: "kmon_offcpu_switches_total", help: "Context switches away from threads, by process name.",
                            kind: .counter, labels: ["comm": comm], value: Double(totals.switches)),
        ] }
    }

    private func biostat(_ r: BioStatReport) -> [CollectorSample] {
        r.devices.flatMap { row -> [CollectorSample] in
            let labels = ["device": row.deviceName ?? row.device, "operation": row.operation]
            return [
                CollectorSample(name: "kmon_block_io_requests_total", help: "Block I/O requests completed, by device and operation.",
                                kind: .counter, labels: labels, value: Double(row.count)),
                CollectorSample(name: "kmon_block_io_bytes_total", help: "Block I/O bytes, by device and operation.",
                                kind: .counter, labels: labels, value: Double(row.bytes)),
                CollectorSample(name: "kmon_block_io_seconds_total", help: "Block I/O issue-to-completion time summed over requests, by device and operation.",
                                kind: .counter, labels: labels, value: Double(row.totalNanoseconds) / 1e9),
            ]
        }
    }

    private func fcount(_ r: FCountReport) -> [CollectorSample] {
        r.counts.map {
            CollectorSample(name: "kmon_function_events_total", help: "Events counted by fcount (tracepoints, kernel functions), by name.",
                            kind: .counter, labels: ["event": $0.event], value: Double($0.count))
        }
    }
}
