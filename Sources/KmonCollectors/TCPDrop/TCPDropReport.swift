/// What tcpdrop reports under `collectors.tcpdrop`.
public struct TCPDropReport: CollectorReport, Equatable {
    public var verbosity: Int
    public var total: UInt64
    public var byKind: [String: UInt64]
    /// Drops by reason name.
    public var byReason: [String: UInt64]
    /// The most recent events, at most `TCPDropCollector.recentLimit`, oldest first.
    public var recent: [TCPDropRecord]
    public var lost: CollectorLosses
    /// User frames left unnamed since the start because their file was refused as ELF.
    public var symbols = SymbolizationReport()

    enum CodingKeys: String, CodingKey {
        case verbosity, total, recent, lost, symbols
        case byKind = "by_kind"
        case byReason = "by_reason"
    }
}
