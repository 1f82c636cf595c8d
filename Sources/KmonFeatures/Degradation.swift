/// An optional kernel feature a session runs without, and what that changes. Reported in
/// `kmon monitor --json`, in the bench's results.json and on the terminal.
public struct Degradation: Codable, Hashable, Sendable, CustomStringConvertible {
    /// The feature's name, as `kmon doctor` and `KMON_DISABLE_FEATURES` spell it.
    public var feature: String
    /// Why it is off: the kernel's refusal, or `KMON_DISABLE_FEATURES`. One line.
    public var reason: String
    /// What the session does instead.
    public var effect: String

    public init(feature: String, reason: String, effect: String) {
        self.feature = feature
        self.reason = reason.split(whereSeparator: \.isNewline).joined(separator: "; ")
        self.effect = effect
    }

    package init(_ feature: KernelFeature, reason: String) {
        self.init(feature: feature.rawValue, reason: reason, effect: feature.effectWithout)
    }

    /// The terminal's one line.
    public var description: String { "degraded: \(feature) off (\(reason)): \(effect)" }
}
