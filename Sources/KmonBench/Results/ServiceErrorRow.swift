/// One service's error rate at one load for one arm: its server spans' 4xx and 5xx shares
/// against its served records' (ground truth). Rows of results.json's `service_errors`.
public struct ServiceErrorRow: Codable, Sendable, Equatable {
    public var arm: String
    public var variant: String
    public var mode: String?
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
    public var probe4xxPercent: Double?
    public var probe5xxPercent: Double?
    public var truth4xxPercent: Double?
    public var truth5xxPercent: Double?

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

    /// Written by hand only so that a share without requests is an explicit null.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(arm, forKey: .arm)
        try c.encode(variant, forKey: .variant)
        try c.encode(mode, forKey: .mode)
        try c.encode(load, forKey: .load)
        try c.encode(service, forKey: .service)
        try c.encode(probeRequests, forKey: .probeRequests)
        try c.encode(probe4xx, forKey: .probe4xx)
        try c.encode(probe5xx, forKey: .probe5xx)
        try c.encode(probeNoStatus, forKey: .probeNoStatus)
        try c.encode(truthRequests, forKey: .truthRequests)
        try c.encode(truth4xx, forKey: .truth4xx)
        try c.encode(truth5xx, forKey: .truth5xx)
        try c.encode(probe4xxPercent, forKey: .probe4xxPercent)
        try c.encode(probe5xxPercent, forKey: .probe5xxPercent)
        try c.encode(truth4xxPercent, forKey: .truth4xxPercent)
        try c.encode(truth5xxPercent, forKey: .truth5xxPercent)
    }

    /// The probe read a status for every span and its 4xx and 5xx counts equal the truth's.
    public var matchesTruth: Bool {
        probeNoStatus == 0 && probeRequests == truthRequests && probe4xx == truth4xx && probe5xx == truth5xx
    }
}
