import KmonSupport

/// One service's error rate at one load for one arm: its server spans' 4xx and 5xx shares
/// against its served records' (ground truth). Rows of results.json's `service_errors`.
public struct ServiceErrorRow: Codable, Sendable, Equatable {
    public var arm: String
    public var variant: String
    @ExplicitNull public var mode: String? = nil
    public var load: Double
    public var service: String
    public var probeRequests: Int
    public var probe4xx: Int
    public var probe5xx: Int
    /// Server spans without a status: the rates are not comparable while this is above 0.
    public var probeNoStatus: Int
    public var truthRequests: Int
    public var truth4xx: Int
    public var truth5xx: Int
    @ExplicitNull public var probe4xxPercent: Double? = nil
    @ExplicitNull public var probe5xxPercent: Double? = nil
    @ExplicitNull public var truth4xxPercent: Double? = nil
    @ExplicitNull public var truth5xxPercent: Double? = nil

    enum CodingKeys: String, CodingKey {
        case arm, variant, mode, load, service
        case probeRequests = "probe_requests", probe4xx = "probe_4xx", probe5xx = "probe_5xx", probeNoStatus = "probe_no_status"
        case truthRequests = "truth_requests", truth4xx = "truth_4xx", truth5xx = "truth_5xx"
        case probe4xxPercent = "probe_4xx_pct", probe5xxPercent = "probe_5xx_pct"
        case truth4xxPercent = "truth_4xx_pct", truth5xxPercent = "truth_5xx_pct"
    }

    public init(arm: String, variant: String, mode: String?, load: Double, service: String, sample: ServiceErrorSample) {
        self.arm = arm
        self.variant = variant
        self.mode = mode
        self.load = load
        self.service = service
        probeRequests = sample.probeRequests
        probe4xx = sample.probe4xx
        probe5xx = sample.probe5xx
        probeNoStatus = sample.probeNoStatus
        truthRequests = sample.truthRequests
        truth4xx = sample.truth4xx
        truth5xx = sample.truth5xx
        func share(_ count: Int, of total: Int) -> Double? { total == 0 ? nil : Double(count) / Double(total) * 100 }
        probe4xxPercent = share(probe4xx, of: probeRequests)
        probe5xxPercent = share(probe5xx, of: probeRequests)
        truth4xxPercent = share(truth4xx, of: truthRequests)
        truth5xxPercent = share(truth5xx, of: truthRequests)
    }

    /// The probe read a status for every span and its 4xx and 5xx counts equal the truth's.
    public var matchesTruth: Bool {
        probeNoStatus == 0 && probeRequests == truthRequests && probe4xx == truth4xx && probe5xx == truth5xx
    }
}
