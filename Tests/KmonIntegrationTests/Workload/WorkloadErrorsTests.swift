import Foundation
import KmonHTTP
import KmonLoad
import KmonSystem
import KmonWorkload
import Testing

/// chain3-errors end to end: store fails on purpose, the failure travels up as 502s, and every
/// record agrees with the one at the other end of its connection on method and status.
@Suite(Privileged.enabled)
struct WorkloadErrorsTests {
    @Test func errorsOnTheInnerHopAreRecordedAlikeAtBothEndsOfEveryHop() throws {
        try Privileged.check()
        let recorded = try RecordedWorkload("chain3-errors")
        defer { recorded.remove() }
        let workload = recorded.running
        let generator = LoadGenerator(LoadConfiguration(
            target: LoadTarget(endpoint: workload.ingress.endpoint), connections: 4,
            model: .openLoop(rate: 1000, poisson: false), duration: 3, requests: recorded.spec.requests))
        _ = try generator.run()
        #expect(workload.stop().isEmpty)
        let load = generator.records
        #expect(load.count > 2000)
        #expect(load.allSatisfy { !$0.failed }, "load generator saw transport errors")

        let frontend = try recorded.records(of: "frontend"), api = try recorded.records(of: "api")
        let store = try recorded.records(of: "store")
        func work(_ records: ServiceRecords) -> [JoinKeyed: ServedRequestRecord] {
            Dictionary(records.served.filter { $0.route == .work }.map { (JoinKeyed($0.connection.reversed, $0.ordinal), $0) },
                       uniquingKeysWith: { first, _ in first })
        }
        let frontendServed = work(frontend), apiServed = work(api), storeServed = work(store)

        // The load generator: what it sent is what frontend received; what it got, frontend sent.
        for record in load {
            let served = try #require(frontendServed[JoinKeyed(record.tuple, record.ordinal)])
            #expect(served.method == record.method && served.status == record.status, "\(record) vs \(served)")
        }
        #expect(frontendServed.count == load.count)
        let methods = Dictionary(grouping: load, by: \.method).mapValues(\.count)
        #expect(Set(methods.keys) == [.get, .post], "\(methods)")
        #expect(abs(Double(methods[.post]!) / Double(load.count) - 0.2) < 0.05, "\(methods)")

        // Each call: method sent = method received, status received = status sent.
        for (caller, callee) in [(frontend, apiServed), (api, storeServed)] {
            #expect(caller.calls.count == callee.count, "\(caller.service)")
            for call in caller.calls {
                let served = try #require(callee[JoinKeyed(call.connection, call.ordinal)], "\(caller.service) call \(call)")
                #expect(served.method == call.method && served.status == call.status, "\(call) vs \(served)")
            }
        }
        #expect(Set(api.calls.map(\.method)) == [.get, .post] && Set(frontend.calls.map(\.method)) == [.get, .post])

        // store's mix: 500 and 404 near 3% and 2%; nothing else but 200.
        let storeStatuses = Dictionary(grouping: storeServed.values, by: \.status).mapValues(\.count)
        #expect(Set(storeStatuses.keys).isSubset(of: [200, 404, 500]), "\(storeStatuses)")
        let n = Double(storeServed.count)
        #expect(abs(Double(storeStatuses[500] ?? 0) / n - 0.03) < 0.015 && abs(Double(storeStatuses[404] ?? 0) / n - 0.02) < 0.012,
                "\(storeStatuses)")
        // Propagation: a request store failed is a 502 at api and at frontend, and a 200 at
        // store is a 200 all the way up.
        let callOf = Dictionary(api.calls.map { (JoinKeyed($0.connection, $0.ordinal), $0) }, uniquingKeysWith: { a, _ in a })
        let apiByID = Dictionary(apiServed.values.map { ($0.requestID, $0) }, uniquingKeysWith: { a, _ in a })
        for (key, served) in storeServed {
            let call = try #require(callOf[key])
            let parent = try #require(apiByID[call.parentRequestID])
            #expect(parent.status == (served.status == 200 ? 200 : 502), "store \(served.status) -> api \(parent.status)")
        }
        let apiStatuses = Dictionary(grouping: apiServed.values, by: \.status).mapValues(\.count)
        let loadStatuses = Dictionary(grouping: load, by: \.status).mapValues(\.count)
        #expect(apiStatuses[502] == (storeStatuses[500] ?? 0) + (storeStatuses[404] ?? 0))
        #expect(loadStatuses[502] == apiStatuses[502] && loadStatuses[200] == apiStatuses[200], "\(loadStatuses) vs \(apiStatuses)")
    }

    /// Pipelined batches of mixed GETs and POSTs with bodies: each request of a batch is framed
    /// apart, and the method the generator recorded is the one the service read.
    @Test func pipelinedMixedMethodsArriveAsRecorded() throws {
        try Privileged.check()
        let recorded = try RecordedWorkload("single")
        defer { recorded.remove() }
        let mix = RequestMix(shares: [.init(.get, basisPoints: 5000), .init(.post, basisPoints: 5000)], bodyBytes: 3000)
        let generator = LoadGenerator(LoadConfiguration(
            target: LoadTarget(endpoint: recorded.running.ingress.endpoint), connections: 2,
            model: .openLoop(rate: 2000, poisson: false), scenario: .pipelined(depth: 8), duration: 1, requests: mix))
        _ = try generator.run()
        #expect(recorded.running.stop().isEmpty)
        let load = generator.records
        #expect(load.count > 1000 && load.allSatisfy { !$0.failed && $0.status == 200 })
        let served = Dictionary(try recorded.records(of: recorded.spec.ingress).served.filter { $0.route == .work }
            .map { (JoinKeyed($0.connection.reversed, $0.ordinal), $0.method) }, uniquingKeysWith: { a, _ in a })
        #expect(served.count == load.count)
        for record in load { #expect(served[JoinKeyed(record.tuple, record.ordinal)] == record.method, "\(record)") }
        let posts = load.filter { $0.method == .post }.count
        #expect(abs(Double(posts) / Double(load.count) - 0.5) < 0.1, "\(posts) of \(load.count)")
    }
}

/// (connection as the client names it, ordinal): how records at the two ends of a hop meet.
private struct JoinKeyed: Hashable {
    var connection: ConnectionTuple
    var ordinal: UInt32
    init(_ connection: ConnectionTuple, _ ordinal: UInt32) {
        self.connection = connection
        self.ordinal = ordinal
    }
}
