import KmonSystem

/// One service's error rate as its server spans show it and as its served records say.
public struct ServiceErrorSample: Sendable, Equatable {
    public var probeRequests = 0
    public var probe4xx = 0
    public var probe5xx = 0
    /// Server spans with no status (a variant that reads none, or a response not seen).
    public var probeNoStatus = 0
    public var truthRequests = 0
    public var truth4xx = 0
    public var truth5xx = 0

    public init() {}

    mutating func count(probe status: UInt16) {
        probeRequests += 1
        switch HTTPStatusClass(status: status) {
        case .clientError: probe4xx += 1
        case .serverError: probe5xx += 1
        case .none: probeNoStatus += 1
        default: break
        }
    }

    mutating func count(truth status: UInt16) {
        truthRequests += 1
        switch HTTPStatusClass(status: status) {
        case .clientError: truth4xx += 1
        case .serverError: truth5xx += 1
        default: break
        }
    }

    public mutating func merge(_ other: ServiceErrorSample) {
        probeRequests += other.probeRequests
        probe4xx += other.probe4xx
        probe5xx += other.probe5xx
        probeNoStatus += other.probeNoStatus
        truthRequests += other.truthRequests
        truth4xx += other.truth4xx
        truth5xx += other.truth5xx
    }
}
