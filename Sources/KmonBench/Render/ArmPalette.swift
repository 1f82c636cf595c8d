/// One colour per arm for every chart of a report, fixed by the run's arm order, so
/// sock/kernel is the same colour in the percentile plot, the time series and the bars, and
/// every legend lists the arms in that order.
struct ArmPalette {
    static let baseline = "#4d4d4d"
    static let twin = "#a6a6a6"
    /// Colour-blind-friendlier categorical colours (Tableau 10 without its greys).
    static let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]

    private(set) var order: [String] = []
    private var assigned: [String: String] = [:]

    init(arms: [String]) {
        var next = 0
        for arm in arms where assigned[arm] == nil {
            order.append(arm)
            switch arm {
            case "baseline": assigned[arm] = Self.baseline
            case "baseline-aa": assigned[arm] = Self.twin
            default:
                assigned[arm] = Self.colors[next % Self.colors.count]
                next += 1
            }
        }
    }

    /// The run's arms in its configured order, then any arm only the results name.
    init(_ results: BenchResults) {
        self.init(arms: results.config.arms + results.overhead.map(\.arm) + results.phases.map(\.arm)
            + results.charts.latencyCDF.map(\.arm) + results.accuracy.map(\.arm))
    }

    func color(_ arm: String) -> String { assigned[arm] ?? "#000000" }

    /// `arms` in the palette's order, for legends.
    func sorted(_ arms: [String]) -> [String] {
        let wanted = Set(arms)
        return order.filter(wanted.contains) + arms.filter { !order.contains($0) }
    }
}
