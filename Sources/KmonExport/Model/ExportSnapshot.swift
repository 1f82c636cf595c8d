import KmonSystem

// What the exporters take in is a small model of their own (this folder), so that the probes and
// collectors only need a thin adapter (KmonExportAdapters), and the exporters know nothing of BPF
// events or span assembly.

/// The state of the monitor at the end of one export period. Counts are cumulative since start,
/// so a missed period loses nothing.
public struct ExportSnapshot: Sendable, Equatable {
    /// CLOCK_REALTIME nanoseconds when the snapshot was taken.
    public var wallNanoseconds: UInt64
    /// Events the kernel side could not deliver (ring-buffer reserve failures), per collector.
    public var lostEvents: [String: UInt64]
    /// Each BPF program's cumulative run statistics, as the kernel counts them.
    public var programs: [ProgramRunStats]
    public var samples: [CollectorSample]
    /// The exporters' own health (buffered and dropped points), filled in by `ExporterSet`.
    public var sinks: [SinkStats]

    public init(wallNanoseconds: UInt64 = WallClock.nowNanoseconds(), lostEvents: [String: UInt64] = [:],
                programs: [ProgramRunStats] = [], samples: [CollectorSample] = [], sinks: [SinkStats] = []) {
        self.wallNanoseconds = wallNanoseconds
        self.lostEvents = lostEvents
        self.programs = programs
        self.samples = samples
        self.sinks = sinks
    }
}
