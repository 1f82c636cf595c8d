import Foundation
import Glibc
import KmonHTTP
import KmonSystem
import KmonWorkload
import Testing

/// `kmon workload up` as users run it: every way it ends leaves no processes, namespaces,
/// devices or temporary files, and bad specs are refused with a precise message.
@Suite(Privileged.enabled)
struct WorkloadTeardownTests {
    @Test func unknownServiceInSpecIsRefusedNamingFileServiceAndField() throws {
        try Privileged.check()
        let directory = try WorkloadFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/bad.yaml"
        try "ingress: web\nservices:\n  - {name: web, port: 18500, calls: [db]}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runCommand(BuildProducts.executable("kmon"), ["workload", "up", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains(path) && result.stderr.contains("service \"web\"")
                && result.stderr.contains("field \"calls[0]\"") && result.stderr.contains("\"db\""), "\(result.stderr)")
    }

    @Test func normalStopRemovesEverything() throws {
        try Privileged.check()
        let workload = try WorkloadFixtures.start("chain3", mode: .netns)
        let services = workload.services
        #expect(try HTTPClient.get(workload.ingress.endpoint).status == 200)
        #expect(workload.stop().isEmpty)
        try expectGone(services)
    }

    @Test func sigintToKmonWorkloadUpRemovesEverything() throws {
        try Privileged.check()
        let up = try UpProcess(spec: "chain3", netns: true)
        let summary = try up.waitForSummary()
        #expect(try HTTPClient.get(try #require(SocketEndpoint(String(summary.ingressURL.dropFirst(7).dropLast())))).status == 200)
        kill(up.process.processIdentifier, SIGINT)
        up.process.waitUntilExit()
        #expect(up.process.terminationStatus == 130)
        try expectGone(summary.services)
    }

    @Test func aServiceKilledMidRunStopsTheWorkloadAndIsReported() throws {
        try Privileged.check()
        let up = try UpProcess(spec: "chain3", netns: true)
        let summary = try up.waitForSummary()
        let api = try #require(summary.services.first { $0.name == "api" })
        kill(api.pid, SIGKILL)
        up.process.waitUntilExit()
        #expect(up.process.terminationStatus == 1)
        let errors = up.errors()
        #expect(errors.contains("service api (pid \(api.pid)) killed by signal 9"), "\(errors)")
        try expectGone(summary.services)
    }

    @Test func libraryReportsADeadService() throws {
        try Privileged.check()
        let workload = try WorkloadFixtures.start("chain3")
        defer { workload.stop() }
        let store = try #require(workload.service(named: "store"))
        kill(store.pid, SIGKILL)
        #expect(workload.serviceExited.wait(seconds: 5))
        #expect(workload.serviceExited.reason?.contains("service store (pid \(store.pid)) killed by signal 9") == true)
        let services = workload.services
        #expect(workload.stop().isEmpty)
        try expectGone(services)
    }

    private func expectGone(_ services: [RunningService]) throws {
        for service in services { #expect(!WorkloadFixtures.isAlive(service.pid), "\(service.name) (pid \(service.pid)) still running") }
        let temporary = URL(fileURLWithPath: services[0].logPath).deletingLastPathComponent().path
        #expect(!FileManager.default.fileExists(atPath: temporary), "\(temporary) left behind")
        let listing = try WorkloadFixtures.ipListing()
        for namespace in services.compactMap(\.namespace) {
            let suffix = namespace.split(separator: "-")[1]
            #expect(!listing.contains("kmon-\(suffix)") && !listing.contains("kmbr\(suffix)") && !listing.contains("kmh\(suffix)"),
                    "netns or devices of \(suffix) left behind:\n\(listing)")
        }
    }
}

/// `kmon workload up --json --ephemeral-ports` running in the background.
final class UpProcess {
    let process = Process()
    private let out = Pipe()
    private let err: String

    init(spec: String, netns: Bool, environment: [String: String] = [:]) throws {
        err = NSTemporaryDirectory() + "kmon-up-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err"
        FileManager.default.createFile(atPath: err, contents: nil)
        process.executableURL = BuildProducts.executable("kmon")
        process.arguments = ["workload", "up", WorkloadFixtures.spec(spec), "--json", "--ephemeral-ports"] + (netns ? ["--netns"] : [])
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: err)
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        try process.run()
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        unlink(err)
    }

    /// Reads the JSON summary printed once every service is healthy.
    func waitForSummary() throws -> WorkloadSummary {
        var data = Data()
        let reader = out.fileHandleForReading
        while true {
            let chunk = reader.availableData
            guard !chunk.isEmpty else { throw SystemCallError("kmon workload up exited: \(errors())", errno: EPIPE) }
            data += chunk
            if let summary = try? JSONDecoder().decode(WorkloadSummary.self, from: data) { return summary }
        }
    }

    func errors() -> String {
        (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
    }
}

/// A controller that is itself SIGKILLed cannot clean up; its services exit when they see it
/// gone, and `kmon workload cleanup` (also run at every start) removes the rest.
@Suite(Privileged.enabled)
struct DeadControllerCleanupTests {
    @Test func cleanupRemovesWhatAKilledControllerLeft() throws {
        try Privileged.check()
        let up = try UpProcess(spec: "chain3", netns: true)
        let summary = try up.waitForSummary()
        kill(up.process.processIdentifier, SIGKILL)
        up.process.waitUntilExit()
        let namespaces = summary.services.compactMap(\.namespace)
        #expect(try namespaces.allSatisfy { try WorkloadFixtures.ipListing().contains($0) }, "namespaces should outlive a SIGKILLed controller")
        // Services notice their parent is gone within half a second.
        let deadline = Date().addingTimeInterval(5)
        while summary.services.contains(where: { WorkloadFixtures.isAlive($0.pid) }) && Date() < deadline { usleep(50_000) }
        for service in summary.services { #expect(!WorkloadFixtures.isAlive(service.pid), "\(service.name) outlived its controller") }

        let result = try runCommand(BuildProducts.executable("kmon"), ["workload", "cleanup"])
        #expect(result.status == 0, "\(result.stderr)")
        // (Another test's `kmon workload up` may have swept it first: every start sweeps too.)
        let listing = try WorkloadFixtures.ipListing()
        for namespace in namespaces {
            let suffix = namespace.split(separator: "-")[1]
            #expect(!listing.contains("kmon-\(suffix)") && !listing.contains("kmbr\(suffix)") && !listing.contains("kmh\(suffix)"), "\(listing)")
        }
        for service in summary.services {
            #expect(!FileManager.default.fileExists(atPath: service.cgroup ?? "/nonexistent"))
        }
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: summary.services[0].logPath).deletingLastPathComponent().path))
    }
}
