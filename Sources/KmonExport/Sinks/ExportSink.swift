/// A destination for Kmon's data. `record` is called on the probe path, for every span:
/// implementations only update memory or append to a bounded queue, and never do I/O there.
public protocol ExportSink: AnyObject, Sendable {
    var name: String { get }
    /// One completed span. Must not block.
    func record(_ span: ExportedSpan)
    /// The end of an export period, or for a pulled sink any fresher reading.
    func publish(_ snapshot: ExportSnapshot)
    /// A pulled sink (Prometheus) takes every reading the monitor makes, so scrapes see current
    /// counters; pushed sinks get one per export period.
    var isPulled: Bool { get }
    /// Its own buffer's state, exported by the other sinks and reported at the end; nil for a
    /// sink without a buffer.
    func stats() -> SinkStats?
    /// Delivers what it can within `timeout` seconds, then releases sockets, files and threads.
    func close(timeout: Double)
}

extension ExportSink {
    public func stats() -> SinkStats? { nil }
    public var isPulled: Bool { false }
}
