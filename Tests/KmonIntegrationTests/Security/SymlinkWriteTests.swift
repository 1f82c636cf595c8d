import Foundation
import Glibc
import KmonLoad
import KmonSystem
import KmonWorkload
import Testing

/// Every file root writes, pointed at a symlink that `nobody` planted in its own directory:
/// the root-only target stays as it was and the error names the path. Before `OutputFile`,
/// each of these overwrote (or, for --jsonl, appended to) the target.
@Suite(.serialized, Privileged.enabled)
struct SymlinkWriteTests {
    let kmon = BuildProducts.executable("kmon")

    static func refusal(_ link: String) -> String { "\(link): is a symbolic link; kmon does not write through one" }

    @Test func loadRecords() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let link = try planted.plant("load.kgt")
        let service = try StandaloneService()
        let result = try runCommand(kmon, ["load", "http://\(service.endpoint)/", "--rate", "100", "--duration", "0.3",
                                           "--warmup", "0", "--records", link])
        // Refused before the run, and at the end too should the link appear during it.
        #expect(result.status == 64, "stderr: \(result.stderr)")
        #expect(result.stderr == "error: --records \(Self.refusal(link)) (remove it or choose another path)\n")
        #expect(planted.secretIsUntouched)
        #expect {
            try GroundTruthFile.write([GroundTruthRecord(intendedNs: 1, sendNs: 2, completeNs: 3, tuple: .none, ordinal: 0)], to: link)
        } throws: { "\($0)".contains("ground-truth records file '\(link)': is a symbolic link") }
        #expect(planted.secretIsUntouched)
    }

    @Test func workloadRecords() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        try planted.plant("app.records")
        #expect(throws: (any Error).self) {
            let workload = try WorkloadFixtures.start("single", records: planted.userDirectory)
            _ = workload.stop()
        }
        #expect(planted.secretIsUntouched)
        // A records directory that is itself a link to root's directory is refused too.
        let linkedDirectory = try planted.plant("records", to: (planted.secret as NSString).deletingLastPathComponent)
        do {
            let workload = try WorkloadFixtures.start("single", records: linkedDirectory)
            _ = workload.stop()
            Issue.record("a workload wrote its records through a symlinked directory")
        } catch {
            #expect("\(error)".contains(Self.refusal(linkedDirectory)), "\(error)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: (planted.secret as NSString).deletingLastPathComponent) == ["secret"])
    }

    @Test func serviceRecords() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let link = try planted.plant("app.records")
        #expect(throws: (any Error).self) { _ = try StandaloneService(extra: ["--records", link]) }
        #expect(planted.secretIsUntouched)
    }

    @Test(arguments: [true, false])
    func benchOut(linkedDirectory: Bool) throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let out: String, refused: String
        if linkedDirectory {
            out = try planted.plant("out", to: (planted.secret as NSString).deletingLastPathComponent)
            refused = out
        } else {
            out = planted.userDirectory
            refused = try planted.plant("results.json")
        }
        let started = Date()
        let result = try runCommand(kmon, ["bench", "--quick", "--workload", BenchProcess.chain3, "--variants", "sock", "--out", out])
        #expect(result.status == 64, "stderr: \(result.stderr.suffix(1000))")
        #expect(result.stderr == "error: --out \(Self.refusal(refused)) (remove it or choose another path)\n")
        #expect(Date().timeIntervalSince(started) < 30, "refused before measuring")
        #expect(planted.secretIsUntouched)
    }

    @Test func monitorJSONLines() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let link = try planted.plant("spans.jsonl")
        let result = try runCommand(kmon, ["monitor", "--duration", "1", "--jsonl", link])
        #expect(result.status != 0)
        #expect(result.stderr.contains(Self.refusal(link)), "stderr: \(result.stderr)")
        #expect(planted.secretIsUntouched)
    }

    @Test func monitorDot() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let link = try planted.plant("topology.dot")
        let result = try runCommand(kmon, ["monitor", "--duration", "1", "--dot", link])
        #expect(result.status == 64)
        #expect(result.stderr == "error: --dot \(Self.refusal(link)) (remove it or choose another path)\n")
        #expect(planted.secretIsUntouched)
    }
}
