import Foundation
import KmonWorkload

/// A sample workload whose services keep their own records in a temporary directory: the
/// setup of every test that counts what kmon or the load generator saw against the services.
final class RecordedWorkload {
    let spec: WorkloadSpec
    let running: RunningWorkload
    private let directory: String

    init(_ name: String, mode: WorkloadNetworkMode = .loopback) throws {
        directory = try WorkloadFixtures.temporaryDirectory()
        do {
            spec = try WorkloadSpec.load(path: WorkloadFixtures.spec(name))
            running = try WorkloadFixtures.start(name, mode: mode, records: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Stops the workload if the test has not (stopping twice is safe) and deletes the records.
    func remove() {
        running.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `kmon monitor`'s `--pid` arguments for every service.
    var pidArguments: [String] { running.services.flatMap { ["--pid", String($0.pid)] } }

    /// A file beside the records, removed with them.
    func path(_ file: String) -> String { "\(directory)/\(file)" }

    /// One service's own records; complete once the workload has stopped.
    func records(of service: String) throws -> ServiceRecords {
        try ServiceRecords.read(path: path("\(service).records"))
    }

    /// Requests each service served on its work route, by its own records.
    func servedOnWorkRoute() throws -> [String: Int] {
        var served: [String: Int] = [:]
        for service in spec.services {
            served[service.name] = try records(of: service.name).served.filter { $0.route == .work }.count
        }
        return served
    }
}
