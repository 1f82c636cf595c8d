import Foundation
import KmonSystem

/// Writes a run's files into its output folder: each one whole or not at all
/// (`OutputDirectory.replace`), never through a symlink.
public enum BenchOutput {
    public static let files = ["results.json", "tables.md", "overhead.csv", "accuracy.csv", "saturation.csv", "phases.csv",
                                      "skipped.csv", "degraded.csv", "report.html"]

    /// Checks `--out` before minutes of measuring: creates it and writes (then removes) a probe
    /// file. Throws an `OutputFileError` naming the path and the reason.
    public static func prepare(_ directory: String) throws -> OutputDirectory {
        let output = try OutputDirectory(creating: directory)
        for name in files { try output.checkReplaceable(name) }
        let probe = ".kmon-write-check"
        try output.replace(probe, with: [UInt8](repeating: 0x20, count: 4096))
        try output.remove(probe)
        return output
    }

    /// Throws an `OutputFileError` naming the first file that could not be written.
    public static func write(_ results: BenchResults, to directory: OutputDirectory) throws {
        func put(_ name: String, _ data: Data) throws {
            try directory.replace(name, with: [UInt8](data))
        }
        try put("results.json", results.encoded())
        try put("tables.md", Data(TablesRenderer.render(results).utf8))
        try put("overhead.csv", Data(CSVRenderer.overhead(results.overhead).utf8))
        try put("accuracy.csv", Data(CSVRenderer.accuracy(results.accuracy).utf8))
        try put("saturation.csv", Data(CSVRenderer.saturation(results.saturation).utf8))
        try put("phases.csv", Data(CSVRenderer.phases(results.phases).utf8))
        try put("skipped.csv", Data(CSVRenderer.skipped(results.skipped).utf8))
        try put("degraded.csv", Data(CSVRenderer.degraded(results.degraded).utf8))
        if let trigger = results.trigger { try put("trigger.csv", Data(TriggerTable.csv(trigger).utf8)) }
        if let serviceErrors = results.serviceErrors { try put("service_errors.csv", Data(CSVRenderer.serviceErrors(serviceErrors).utf8)) }
        try put("report.html", Data(HTMLReport.render(results).utf8))
    }

    /// A results folder or a results.json path, read back.
    public static func load(_ path: String) throws -> BenchResults {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        return try BenchResults.load(path: exists && isDirectory.boolValue ? path + "/results.json" : path)
    }

    /// bench-results/20261127-183000 under the current directory.
    public static func defaultDirectory(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return "bench-results/" + formatter.string(from: now)
    }
}
