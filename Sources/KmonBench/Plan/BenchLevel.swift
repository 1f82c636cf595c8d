import KmonSupport

/// What load a phase runs under: one load run per level, the arms taking turns in it.
public enum BenchLevel: Hashable, Sendable, CustomStringConvertible {
    /// Closed loop, as fast as the arm can go.
    case saturation
    /// Open loop at this percentage of the baseline's knee.
    case load(percent: Double)
    /// The baseline alone at this rate, to find the knee.
    case knee(rate: Double)
    /// No load: the trigger driver fires the hooks in a tight loop (TriggerRun).
    case trigger

    public var description: String {
        switch self {
        case .saturation: "saturation"
        case .load(let percent): "load \(NumberText.percent(percent))"
        case .knee(let rate): "knee search at \(Int(saturating: rate)) req/s"
        case .trigger: "trigger"
        }
    }
}
