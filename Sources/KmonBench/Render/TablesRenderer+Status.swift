/// tables.md's status tables: method and status agreement per hop and vantage, and each
/// service's error rate as its server spans show it against its served records.
extension TablesRenderer {
    static let statusNote = "Joined spans whose method and status equal ground truth (the caller's record at the client vantage, "
        + "the callee's at the server vantage). \"no status\": the variant's spans carry none, with the reason."

    static func statusAgreement(_ results: BenchResults) -> String {
        let rows = results.accuracy.filter { $0.status != nil }
        guard !rows.isEmpty else { return "No accuracy row carries status agreement." }
        return MarkdownTable.render(
            header: ["arm", "vantage", "hop", "load", "compared", "agreement %", "disagreements (probe for truth)", "examples"],
            rows: rows.map { row in
                let status = row.status!
                let agreement = status.agreedPercent.map { Format.number($0, 2) } ?? "no status: \(status.noStatus ?? "")"
                return [row.arm, row.vantage.rawValue, row.hop, Format.load(row.load), String(status.compared), agreement,
                        status.disagreementText.isEmpty ? "none" : status.disagreementText,
                        status.examples.prefix(2).joined(separator: "; ")]
            },
            rightAligned: [4, 5])
    }

    static func serviceErrors(_ rows: [ServiceErrorRow]) -> String {
        guard !rows.isEmpty else { return "No accuracy runs." }
        return MarkdownTable.render(
            header: ["arm", "load", "service", "spans", "4xx % probe / truth", "5xx % probe / truth", "no status", "equal"],
            rows: rows.map { row in
                [row.arm, Format.load(row.load), row.service, "\(row.probeRequests) / \(row.truthRequests)",
                 "\(Format.number(row.probe4xxPercent, 2)) / \(Format.number(row.truth4xxPercent, 2))",
                 "\(Format.number(row.probe5xxPercent, 2)) / \(Format.number(row.truth5xxPercent, 2))",
                 String(row.probeNoStatus), row.matchesTruth ? "yes" : "no"]
            },
            rightAligned: [3, 4, 5, 6])
    }
}

extension CSVRenderer {
    public static func serviceErrors(_ rows: [ServiceErrorRow]) -> String {
        let header = ["arm", "variant", "mode", "load", "service", "probe_requests", "probe_4xx", "probe_5xx", "probe_no_status",
                      "truth_requests", "truth_4xx", "truth_5xx", "probe_4xx_pct", "probe_5xx_pct", "truth_4xx_pct", "truth_5xx_pct"]
        let lines = rows.map { row -> [String] in
            [row.arm, row.variant, row.mode ?? "", Format.csv(row.load), row.service, String(row.probeRequests),
             String(row.probe4xx), String(row.probe5xx), String(row.probeNoStatus), String(row.truthRequests),
             String(row.truth4xx), String(row.truth5xx), Format.csv(row.probe4xxPercent), Format.csv(row.probe5xxPercent),
             Format.csv(row.truth4xxPercent), Format.csv(row.truth5xxPercent)]
        }
        return render([header] + lines)
    }
}
