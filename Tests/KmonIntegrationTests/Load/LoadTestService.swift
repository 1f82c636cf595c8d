import Foundation
import Glibc
import KmonLoad
import KmonWorkload

/// A live kmon-service (single.yaml, `StandaloneService`) that also writes its ground-truth
/// records, for the load generator's tests.
final class LoadTestService {
    let service: StandaloneService
    let recordsPath = "/tmp/kmon-load-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).svc"

    init() throws {
        service = try StandaloneService(extra: ["--records", recordsPath])
    }

    deinit {
        if service.process.isRunning { kill(service.process.processIdentifier, SIGCONT) }
        unlink(recordsPath)
    }

    var url: String { "http://127.0.0.1:\(service.endpoint.port)/" }
    var target: LoadTarget { LoadTarget(endpoint: service.endpoint) }

    func signal(_ sig: Int32) { kill(service.process.processIdentifier, sig) }

    /// SIGTERM and wait, so the service flushes its records, then reads them.
    func stopAndReadRecords() throws -> ServiceRecords {
        if service.process.isRunning {
            service.process.terminate()
            service.process.waitUntilExit()
        }
        return try ServiceRecords.read(path: recordsPath)
    }
}
