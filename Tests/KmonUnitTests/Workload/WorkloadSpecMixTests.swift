import Foundation
import KmonHTTP
import KmonSystem
import KmonWorkload
import Testing

/// The spec's `errors`, `methods` and `body_bytes`: parsing, the draws, and bad input named by
/// file, line, service and field.
@Suite struct WorkloadSpecMixTests {
    func parse(_ yaml: String) throws -> WorkloadSpec { try WorkloadSpec.parse(yaml: yaml, file: "mix.yaml") }

    func error(_ yaml: String) -> WorkloadSpecError? { WorkloadSpecError.parsing(yaml, file: "mix.yaml") }

    @Test func shippedErrorsWorkloadHasItsMixes() throws {
        let spec = try WorkloadSpec.load(path: WorkloadSpecTests.repoWorkloads.appendingPathComponent("chain3-errors.yaml").path)
        #expect(spec.name == "chain3-errors")
        #expect(spec.requests == RequestMix(shares: [.init(.get, basisPoints: 8000), .init(.post, basisPoints: 2000)], bodyBytes: 256))
        let store = try #require(spec.service(named: "store"))
        #expect(store.errors.shares == [.init(status: 500, basisPoints: 300), .init(status: 404, basisPoints: 200)])
        #expect(spec.service(named: "api")?.requests.bodyBytes == 64)
        #expect(spec.service(named: "frontend")?.errors.isEmpty == true)
    }

    @Test func defaultsAreGetOnlyAndNoErrors() throws {
        let spec = try parse("ingress: a\nservices:\n  - {name: a, port: 1000}\n")
        #expect(spec.requests == .getOnly && spec.requests.single == .get)
        #expect(spec.services[0].errors.isEmpty && spec.services[0].requests == .getOnly)
    }

    @Test func percentagesWithDecimals() throws {
        let spec = try parse("""
            ingress: a
            methods: {POST: 0.5%, GET: 99.5%}
            services:
              - {name: a, port: 1000, errors: {503: 0.25%, 429: 10%, 302: 1.5%}}
            """)
        #expect(spec.requests.shares == [.init(.post, basisPoints: 50), .init(.get, basisPoints: 9950)])
        #expect(spec.services[0].errors.shares.map(\.basisPoints) == [25, 1000, 150])
    }

    @Test func errorDrawsFollowTheShares() {
        let mix = ErrorMix(shares: [.init(status: 500, basisPoints: 300), .init(status: 404, basisPoints: 200)])
        #expect(mix.status(draw: 0) == 500 && mix.status(draw: 299) == 500)
        #expect(mix.status(draw: 300) == 404 && mix.status(draw: 499) == 404)
        #expect(mix.status(draw: 500) == nil && mix.status(draw: 10_299) == 500)
        // Over many request ids the realized mix is near the shares, and the same every time.
        let seed = ErrorMix.seed(service: "store")
        var counts: [UInt16?: Int] = [:]
        for id in 1...100_000 as ClosedRange<UInt64> { counts[mix.status(draw: ErrorMix.draw(seed: seed, requestID: id)), default: 0] += 1 }
        #expect(abs(counts[500]! - 3000) < 300 && abs(counts[404]! - 2000) < 250, "\(counts)")
        #expect(ErrorMix.draw(seed: seed, requestID: 7) == ErrorMix.draw(seed: seed, requestID: 7))
        #expect(ErrorMix.seed(service: "store") != ErrorMix.seed(service: "api"))
    }

    @Test func requestBytesCarryTheBody() {
        let mix = RequestMix(shares: [.init(.get, basisPoints: 5000), .init(.post, basisPoints: 5000)], bodyBytes: 5)
        #expect(String(decoding: mix.request(.get, host: "api"), as: UTF8.self) == "GET / HTTP/1.1\r\nHost: api\r\n\r\n")
        #expect(String(decoding: mix.request(.post, host: "api", close: true), as: UTF8.self)
                == "POST / HTTP/1.1\r\nHost: api\r\nContent-Type: application/octet-stream\r\nContent-Length: 5\r\nConnection: close\r\n\r\nxxxxx")
        #expect(mix.method(draw: 4999) == .get && mix.method(draw: 5000) == .post && mix.method(draw: 19_999) == .post)
    }

    @Test(arguments: [
        // (yaml fragment of service a, field, problem excerpt)
        ("errors: {200: 2%}", "errors.200", "from 300 to 599"),
        ("errors: {103: 2%}", "errors.103", "from 300 to 599"),
        ("errors: {304: 2%}", "errors.304", "304"),
        ("errors: {600: 2%}", "errors.600", "from 300 to 599"),
        ("errors: {abc: 2%}", "errors.abc", "from 300 to 599"),
        ("errors: {500: 2}", "errors.500", "percentage"),
        ("errors: {500: -1%}", "errors.500", "percentage"),
        ("errors: {500: 101%}", "errors.500", "percentage"),
        ("errors: {500: 1.234%}", "errors.500", "percentage"),
        ("errors: {500: 60%, 404: 50%}", "errors", "110%, more than 100%"),
        ("errors: [500]", "errors", "mapping of status to share"),
        ("errors: {}", "errors", "mapping of status to share"),
        ("methods: {GET: 50%}", "methods", "add up to 50%"),
        ("methods: {GET: 50%, PUT: 50%}", "methods.PUT", "GET or POST"),
        ("methods: {GET: 50%, FETCH: 50%}", "methods.FETCH", "GET or POST"),
        ("methods: {GET: 50%, get: 50%}", "methods.get", "duplicate method"),
        ("body_bytes: -1", "body_bytes", "bytes"),
        ("body_bytes: 2000000", "body_bytes", "bytes"),
        ("body_bytes: lots", "body_bytes", "bytes"),
    ])
    func badMixesAreNamed(fragment: String, field: String, problem: String) throws {
        let e = error("""
            ingress: a
            services:
              - name: a
                port: 1000
                \(fragment)
            """)
        #expect(e?.file == "mix.yaml" && e?.service == "a" && e?.field == field, "\(String(describing: e))")
        #expect(e?.line == 5, "\(String(describing: e))")
        #expect(e?.description.contains(problem) == true, "\(String(describing: e))")
    }

    @Test func badTopLevelMixIsNamedWithoutAService() {
        let e = error("ingress: a\nmethods: {GET: 90%, POST: 20%}\nservices:\n  - {name: a, port: 1000}\n")
        #expect(e?.service == nil && e?.field == "methods" && e?.line == 2)
        #expect(e?.description.contains("add up to 110%") == true, "\(String(describing: e))")
        let e2 = error("ingress: a\nbody_bytes: x\nservices:\n  - {name: a, port: 1000}\n")
        #expect(e2?.field == "body_bytes" && e2?.line == 2)
    }
}
