import Foundation
import KmonSystem

/// Keeps a label's set of values bounded: the first `limit` distinct values keep their own name,
/// later ones all become `other`. Without it, one scan of ephemeral client ports would create
/// thousands of time series in Prometheus or InfluxDB.
public final class LabelBudget: @unchecked Sendable {
    public static let overflowValue = "other"

    public let limit: Int
    private let lock = NSLock()
    private var admitted: Set<String> = []
    private var overflowed: UInt64 = 0

    public init(limit: Int) {
        precondition(limit >= 0, "a label budget cannot be negative")
        self.limit = limit
    }

    /// The label value to use for `value`.
    public func label(for value: String) -> String {
        lock.withLock {
            if admitted.contains(value) { return value }
            if admitted.count < limit {
                admitted.insert(value)
                return value
            }
            overflowed += 1
            return Self.overflowValue
        }
    }

    /// How many values were folded into `other` so far.
    public var overflowCount: UInt64 { lock.withLock { overflowed } }
}

/// The labels of a span, with each label's cardinality bounded. A series is (service, peer, side,
/// method, status_class): service and peer go through budgets, method and status class come from
/// fixed enums (12 methods, 6 classes), so no request can add a value to either.
public final class SpanLabeler: @unchecked Sendable {
    public struct Limits: Sendable, Equatable {
        /// Distinct `service` values (process names).
        public var services: Int
        /// Distinct named peers (services the topology or the workload spec could name).
        public var peerNames: Int
        /// Distinct unnamed peers, labelled "address:port".
        public var peerAddresses: Int

        public init(services: Int = 32, peerNames: Int = 32, peerAddresses: Int = 32) {
            self.services = services
            self.peerNames = peerNames
            self.peerAddresses = peerAddresses
        }

        /// The most (service, peer, side) series a sink can hold, before method and status class.
        public var maximumSeries: Int { (services + 1) * (peerNames + peerAddresses + 1) * SpanRole.allCases.count }

        /// At most this many (method, status_class) pairs per (service, peer, side); in practice a
        /// service's few methods times the classes it answers.
        public static let maximumHTTPPairs = HTTPMethod.allCases.count * HTTPStatusClass.allCases.count
    }

    public let limits: Limits
    private let services: LabelBudget
    private let peerNames: LabelBudget
    private let peerAddresses: LabelBudget

    public init(limits: Limits = Limits()) {
        self.limits = limits
        services = LabelBudget(limit: limits.services)
        peerNames = LabelBudget(limit: limits.peerNames)
        peerAddresses = LabelBudget(limit: limits.peerAddresses)
    }

    public func labels(for span: ExportedSpan) -> SpanLabels {
        let peer: String
        if let name = span.peerName, !name.isEmpty {
            peer = peerNames.label(for: name)
        } else {
            peer = peerAddresses.label(for: span.peerAddress)
        }
        return SpanLabels(service: services.label(for: span.service), peer: peer, side: span.side,
                          method: span.http.method, statusClass: span.http.statusClass)
    }
}

/// One series' key: bounded label values.
public struct SpanLabels: Hashable, Sendable {
    public var service: String
    public var peer: String
    public var side: SpanRole
    /// Labelled by `HTTPMethod.name` ("GET", …, "unknown", "not_http").
    public var method: HTTPMethod
    /// Labelled "1xx" … "5xx", or "none" where no status line was read.
    public var statusClass: HTTPStatusClass

    public init(service: String, peer: String, side: SpanRole, method: HTTPMethod = .unknown, statusClass: HTTPStatusClass = .none) {
        self.service = service
        self.peer = peer
        self.side = side
        self.method = method
        self.statusClass = statusClass
    }

    /// The order sinks write series in: by name, then side, method and class.
    static func < (a: SpanLabels, b: SpanLabels) -> Bool {
        (a.service, a.peer, a.side.rawValue, a.method.rawValue, a.statusClass.rawValue)
            < (b.service, b.peer, b.side.rawValue, b.method.rawValue, b.statusClass.rawValue)
    }
}
