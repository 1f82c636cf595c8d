import KmonFeatures

/// An optional kernel feature that the named arms' probes ran without, and what that changed.
public struct DegradedFeature: Codable, Sendable, Equatable {
    public var feature: String
    public var reason: String
    public var effect: String
    public var arms: [String]

    public init(feature: String, reason: String, effect: String, arms: [String]) {
        self.feature = feature
        self.reason = reason
        self.effect = effect
        self.arms = arms
    }

    /// One row per distinct degradation, naming every arm that had it, in first-seen order.
    static func collect(_ perRun: [(arm: String, degraded: [Degradation])]) -> [DegradedFeature] {
        var rows: [DegradedFeature] = []
        for (arm, degradations) in perRun {
            for d in degradations {
                if let i = rows.firstIndex(where: { $0.feature == d.feature && $0.reason == d.reason && $0.effect == d.effect }) {
                    if !rows[i].arms.contains(arm) { rows[i].arms.append(arm) }
                } else {
                    rows.append(DegradedFeature(feature: d.feature, reason: d.reason, effect: d.effect, arms: [arm]))
                }
            }
        }
        return rows
    }
}
