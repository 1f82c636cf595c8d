/// The series report.html draws, kept in results.json so a report can be re-rendered later
/// (and compared) without re-running.
public struct ChartData: Codable, Sendable {
    public var latencyCDF: [LatencyCDF]
    public var errorHistograms: [ErrorHistogram]

    public init(latencyCDF: [LatencyCDF], errorHistograms: [ErrorHistogram]) {
        self.latencyCDF = latencyCDF
        self.errorHistograms = errorHistograms
    }

    enum CodingKeys: String, CodingKey { case latencyCDF = "latency_cdf", errorHistograms = "error_histograms" }
}
