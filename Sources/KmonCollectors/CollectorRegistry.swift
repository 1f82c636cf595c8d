import BPF

/// Makes collectors by name: the one entry point `kmon monitor` and `kmon bench` use, so a
/// bench arm can be "offcpu at verbosity 2" without knowing the collector's type.
public enum CollectorRegistry {
    /// A collector of `kind`, not yet started. tcpreq is not one of these: it is `kmon monitor`'s
    /// own probe (`--variant`).
    public static func make(_ kind: CollectorKind, settings: CollectorSettings = CollectorSettings()) throws -> any Collector {
        switch kind {
        case .tcpdrop: return try TCPDropCollector(settings: settings)
        case .offcpu: return try OffCPUCollector(settings: settings)
        case .biostat: return try BioStatCollector(settings: settings)
        case .fcount: return try FCountCollector(settings: settings)
        case .tcpreq:
            throw CollectorError.config("tcpreq is kmon monitor's request-latency probe, chosen with --variant, not a separate collector")
        }
    }

    /// `make` by name and verbosity, e.g. `make(named: "offcpu", verbosity: 2)`.
    public static func make(named name: String, verbosity: Int, filter: ListenFilter = ListenFilter(),
                            fcountEvents: [String] = []) throws -> any Collector {
        try make(CollectorKind.named(name),
                 settings: CollectorSettings(verbosity: verbosity, filter: filter, fcountEvents: fcountEvents))
    }
}
