import Foundation
import Glibc
import KmonLoad
import KmonSupport
import KmonSystem
import KmonWorkload
import Testing

/// The generator against a live kmon-service (workloads/single.yaml) on loopback. Serialized:
/// the rate and latency checks need the CPU to themselves as far as this suite can help it.
@Suite(.serialized, Privileged.enabled)
struct LoadGeneratorTests {
    static func configuration(_ service: LoadTestService, rate: Double?, connections: Int = 4,
                              scenario: LoadScenario = .keepAlive, duration: Double = 2, warmUp: Double = 0.3) -> LoadConfiguration {
        LoadConfiguration(target: service.target, connections: connections, threads: 1,
                          model: rate.map { .openLoop(rate: $0, poisson: false) } ?? .closedLoop,
                          scenario: scenario, duration: duration, warmUp: warmUp, requestTimeout: 2)
    }

    /// Every record: timestamps in order; per connection 4-tuple, ordinals 0, 1, 2, … with no gap.
    /// With a connection per request, the kernel may give a later connection the 4-tuple of one
    /// already closed (the client end has no TIME_WAIT), so there every ordinal must be 0 instead.
    static func checkOrderAndOrdinals(_ records: [GroundTruthRecord], connectionPerRequest: Bool = false) {
        #expect(records.allSatisfy { $0.intendedNs <= $0.sendNs && $0.sendNs <= $0.completeNs })
        if connectionPerRequest {
            #expect(records.allSatisfy { $0.ordinal == 0 })
            return
        }
        var ordinals: [ConnectionTuple: [UInt32]] = [:]
        for r in records { ordinals[r.tuple, default: []].append(r.ordinal) }
        for (tuple, list) in ordinals {
            #expect(list.sorted() == (0..<UInt32(list.count)).map { $0 }, "ordinals on \(tuple) are not contiguous from 0")
        }
    }

    /// Each client record has a served request on the same connection (seen from the server
    /// side: local and remote swapped) with the same ordinal, and vice versa, as many times.
    static func checkMatchesServer(_ records: [GroundTruthRecord], _ service: LoadTestService,
                                   connectionPerRequest: Bool = false) throws {
        let served = try service.stopAndReadRecords().served
        struct Key: Hashable { var clientSide: ConnectionTuple, ordinal: UInt32 }
        let server = Dictionary(served.map { (Key(clientSide: $0.connection.reversed, ordinal: $0.ordinal), 1) }, uniquingKeysWith: +)
        let client = Dictionary(records.map { (Key(clientSide: $0.tuple, ordinal: $0.ordinal), 1) }, uniquingKeysWith: +)
        if !connectionPerRequest {
            #expect(client.count == records.count, "two client records share a 4-tuple and ordinal")
        }
        let unknownToServer = client.filter { server[$0.key] != $0.value }.count
        let unknownToClient = server.filter { client[$0.key] != $0.value }.count
        #expect(client == server, "\(unknownToServer) client requests unknown to the server, \(unknownToClient) served requests unknown to the client")
    }

    @Test func openLoopHitsTheOfferedRateWithConsistentGroundTruth() throws {
        try Privileged.check()
        let service = try LoadTestService()
        let generator = LoadGenerator(Self.configuration(service, rate: 1000))
        let summary = try generator.run()
        #expect(summary.errors == 0)
        // A hiccup of the shared machine right at the deadline can leave a few requests queued.
        #expect(summary.unsent <= 20, "\(summary.unsent) requests never left")
        #expect(abs(summary.achievedRPS - 1000) / 1000 < 0.02, "achieved \(summary.achievedRPS) req/s for 1000 offered")
        #expect(generator.records.allSatisfy { $0.status == 200 && $0.bytes > 64 })
        Self.checkOrderAndOrdinals(generator.records)
        #expect(Set(generator.records.map(\.connection)) == [0, 1, 2, 3])
        try Self.checkMatchesServer(generator.records, service)
    }

    @Test func poissonOpenLoopAveragesTheOfferedRate() throws {
        try Privileged.check()
        let service = try LoadTestService()
        var configuration = Self.configuration(service, rate: 1000)
        configuration.model = .openLoop(rate: 1000, poisson: true)
        let summary = try LoadGenerator(configuration).run()
        #expect(summary.errors == 0)
        // 2000 Poisson arrivals: the count's standard deviation is about 45 (2.2%).
        #expect(abs(summary.achievedRPS - 1000) / 1000 < 0.08, "achieved \(summary.achievedRPS) req/s")
    }

    @Test func closedLoopSaturatesAndRecordsEveryRequest() throws {
        try Privileged.check()
        let service = try LoadTestService()
        let generator = LoadGenerator(Self.configuration(service, rate: nil, duration: 1))
        let summary = try generator.run()
        #expect(summary.errors == 0)
        #expect(summary.requests > 1000)
        #expect(summary.offeredRPS == nil)
        Self.checkOrderAndOrdinals(generator.records)
        try Self.checkMatchesServer(generator.records, service)
    }

    @Test(arguments: [LoadScenario.connectionClose, .pipelined(depth: 4), .slowReader])
    func scenariosKeepGroundTruthConsistent(_ scenario: LoadScenario) throws {
        try Privileged.check()
        let service = try LoadTestService()
        let generator = LoadGenerator(Self.configuration(service, rate: 400, scenario: scenario, duration: 1))
        let summary = try generator.run()
        #expect(summary.errors == 0)
        #expect(summary.requests > 300)
        let connectionPerRequest = scenario == .connectionClose
        Self.checkOrderAndOrdinals(generator.records, connectionPerRequest: connectionPerRequest)
        if !connectionPerRequest {
            #expect(generator.records.contains { $0.ordinal > 10 })
        }
        try Self.checkMatchesServer(generator.records, service, connectionPerRequest: connectionPerRequest)
    }

    @Test func aStalledServerShowsInCorrectedButNotUncorrectedLatency() throws {
        try Privileged.check()
        let service = try LoadTestService()
        let stopper = Thread {
            usleep(900_000)
            service.signal(SIGSTOP)
            usleep(200_000)
            service.signal(SIGCONT)
        }
        stopper.start()
        let summary = try LoadGenerator(Self.configuration(service, rate: 1000, duration: 2)).run()
        // The 200 ms stall delays 4 requests in flight (uncorrected) but holds back ~200
        // intended sends (corrected): 10% of the run.
        #expect(summary.errors == 0)
        #expect(summary.latencyMicros.p99 > 100_000, "corrected p99 \(summary.latencyMicros.p99) µs")
        #expect(summary.latencyMicros.p99 > 10 * summary.uncorrectedLatencyMicros.p99,
                "corrected p99 \(summary.latencyMicros.p99) µs vs uncorrected p99 \(summary.uncorrectedLatencyMicros.p99) µs")
        #expect(summary.uncorrectedLatencyMicros.max > 150_000, "the in-flight requests waited out the stall")
    }

    @Test func aServerDyingMidRunGivesErrorsAndTheRecordsSoFar() throws {
        try Privileged.check()
        let service = try LoadTestService()
        let path = "/tmp/kmon-load-test-\(getpid())-died.kgt"
        defer { unlink(path) }
        var configuration = Self.configuration(service, rate: 1000, duration: 1.5)
        configuration.recordsPath = path
        let killer = Thread {
            usleep(800_000)
            service.signal(SIGKILL)
        }
        killer.start()
        let started = MonotonicClock.now()
        let generator = LoadGenerator(configuration)
        let summary = try generator.run()
        let seconds = Double(MonotonicClock.now() - started) / 1e9
        #expect(seconds < 1.8 + 1.5, "the run ends at its deadline plus at most the drain time (\(seconds) s)")
        #expect(summary.requests > 300, "requests before the kill are kept")
        #expect(summary.errors > 0, "requests after the kill fail")
        let written = try GroundTruthFile.read(from: path)
        #expect(written == generator.records)
        #expect(written.contains { $0.flags.contains(.notSent) }, "refused connections are recorded as not sent")
        Self.checkOrderAndOrdinals(generator.records.filter { !$0.flags.contains(.notSent) })
    }

    @Test func anUnreachableServerIsAClearError() throws {
        try Privileged.check()
        let configuration = LoadConfiguration(target: LoadTarget(endpoint: SocketEndpoint(address: .loopbackV4, port: 1)), connections: 2,
                                              model: .openLoop(rate: 10, poisson: false), duration: 1)
        #expect { try LoadGenerator(configuration).run() } throws: { ($0 as? LoadError)?.isUnreachable == true }
    }
}
