import Foundation
import Glibc
import KmonHTTP
import KmonSystem
import KmonWorkload
import Testing

/// chain3 end to end: a request at the ingress, and every service's records show its part,
/// each hop's handler inside its caller's downstream call.
@Suite(Privileged.enabled)
struct WorkloadChainTests {
    @Test func chain3OnLoopbackRecordsNestedParts() throws {
        try Privileged.check()
        try checkChain(mode: .loopback)
    }

    @Test func chain3InNetworkNamespacesRecordsNestedPartsAndLeavesNothing() throws {
        try Privileged.check()
        let namespaces = try checkChain(mode: .netns)
        let listing = try WorkloadFixtures.ipListing()
        for namespace in namespaces {
            #expect(!listing.contains(namespace), "netns \(namespace) left behind")
            // kmon-<suffix>-<service>: the bridge and veths carry the same suffix.
            let suffix = namespace.split(separator: "-")[1]
            #expect(!listing.contains("kmbr\(suffix)") && !listing.contains("kmh\(suffix)"), "devices of \(suffix) left behind:\n\(listing)")
        }
    }

    @Test func fanoutCallsItsBackendsInParallel() throws {
        try Privileged.check()
        let recorded = try RecordedWorkload("fanout")
        defer { recorded.remove() }
        let workload = recorded.running
        #expect(try HTTPClient.get(workload.ingress.endpoint).status == 200)
        #expect(workload.stop().isEmpty)
        let frontend = try recorded.records(of: "frontend")
        let served = try #require(frontend.served.first { $0.route == .work })
        let calls = frontend.calls.filter { $0.parentRequestID == served.requestID }
        #expect(calls.map(\.callIndex).sorted() == [0, 1, 2])
        #expect(Set(calls.map(\.connection.remote)).count == 3)
        // All three were sent before any answer came back.
        #expect(calls.map(\.sendStartNs).max()! < calls.map(\.responseCompleteNs).min()!)
    }

    /// Returns the namespaces used (netns mode), for the caller to check they are gone.
    @discardableResult
    private func checkChain(mode: WorkloadNetworkMode) throws -> [String] {
        let recorded = try RecordedWorkload("chain3", mode: mode)
        defer { recorded.remove() }
        let workload = recorded.running
        let services = workload.services

        // Each service's comm is its name: what the probes key on.
        for service in services {
            let comm = try String(contentsOfFile: "/proc/\(service.pid)/comm", encoding: .utf8)
            #expect(comm.trimmingCharacters(in: .newlines) == service.processName)
        }
        let response = try HTTPClient.get(workload.ingress.endpoint)
        #expect(response.status == 200)
        #expect(response.bodyLength == 256)
        // CPU time comes from each service's own cgroup and grows with load.
        #expect(services.allSatisfy { $0.cgroup != nil }, "\(services)")
        let before = workload.cpuTime()
        for _ in 0..<200 { _ = try HTTPClient.get(workload.ingress.endpoint) }
        let after = workload.cpuTime()
        #expect(after.count == 3)
        for service in services { #expect(after[service.name]! > before[service.name]!, "\(service.name): \(before) -> \(after)") }

        #expect(workload.stop().isEmpty)
        for service in services {
            #expect(!WorkloadFixtures.isAlive(service.pid), "\(service.name) still running")
            #expect(!FileManager.default.fileExists(atPath: service.cgroup ?? "/nonexistent"), "cgroup of \(service.name) left behind")
        }
        #expect(!FileManager.default.fileExists(atPath: URL(fileURLWithPath: services[0].logPath).deletingLastPathComponent().path))

        let frontend = try recorded.records(of: "frontend")
        let api = try recorded.records(of: "api")
        let store = try recorded.records(of: "store")
        #expect(frontend.service == "frontend" && frontend.pid == workload.service(named: "frontend")!.pid)

        // Health checks are recorded too; the work request is the one on "/".
        let served = try #require(frontend.served.first { $0.route == .work })
        #expect(served.status == 200)
        #expect(served.connection.local == workload.ingress.endpoint)
        #expect(served.firstReadNs <= served.handlerEntryNs && served.handlerEntryNs < served.handlerExitNs
                && served.handlerExitNs <= served.responseWrittenNs)
        let frontendCall = try #require(frontend.calls.first { $0.parentRequestID == served.requestID })
        #expect(frontendCall.status == 200)
        #expect(frontendCall.connection.remote == workload.service(named: "api")!.endpoint)
        let apiServed = try #require(matching(frontendCall, in: api))
        let apiCall = try #require(api.calls.first { $0.parentRequestID == apiServed.requestID })
        let storeServed = try #require(matching(apiCall, in: store))

        #expect(served.handlerEntryNs <= frontendCall.sendStartNs && frontendCall.responseCompleteNs <= served.handlerExitNs)
        #expect(frontendCall.sendStartNs < apiServed.handlerEntryNs && apiServed.handlerExitNs < frontendCall.responseCompleteNs)
        #expect(apiServed.handlerEntryNs <= apiCall.sendStartNs && apiCall.responseCompleteNs <= apiServed.handlerExitNs)
        #expect(apiCall.sendStartNs < storeServed.handlerEntryNs && storeServed.handlerExitNs < apiCall.responseCompleteNs)
        // store's spec work: 10 µs CPU and 50 µs sleep.
        #expect(storeServed.handlerExitNs - storeServed.handlerEntryNs >= 60_000)
        return services.compactMap(\.namespace)
    }

    /// The served record of the callee for a call: same connection (4-tuple, mirrored) and ordinal.
    private func matching(_ call: DownstreamCallRecord, in callee: ServiceRecords) -> ServedRequestRecord? {
        callee.served.first { $0.connection == call.connection.reversed && $0.ordinal == call.ordinal }
    }
}
