import Foundation
import Glibc
import KmonHTTP
import KmonSupport
import KmonWorkload
import Testing

/// Throws 10,000+ random and mutated requests at a live service. Every answer must be
/// well-formed HTTP with a status the service may give, and afterwards it still serves.
@Suite(Privileged.enabled)
struct ServiceFuzzTests {
    static let seeds: [String] = [
        "GET / HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /x HTTP/1.1\r\nHost: t\r\n\r\n",
    ].map { $0 }
    static let allowed: Set<Int> = [200, 400, 404, 405, 408, 413, 431, 501, 505]
    static let tokens: [[UInt8]] = ["\r\n", "\r", "\n", " ", ":", "\0", "\u{7f}", "Content-Length: ", "99999999999",
                                    "Transfer-Encoding: chunked\r\n", "Host: x\r\n", "HTTP/1.1", "/", "?", "%", "\t"].map { Array($0.utf8) }

    @Test func survivesTenThousandRandomAndMutatedRequests() throws {
        try Privileged.check()
        let service = try StandaloneService(extra: ["--read-timeout-ms", "1000"])
        let total = 10_240
        let workers = 4
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var rng = SeededGenerator(seed: UInt64(worker) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
            for i in 0..<(total / workers) {
                let input = i % 4 == 0 ? Self.random(&rng) : Self.mutate(Array(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))].utf8), &rng)
                do {
                    let answer = try service.rawExchange(input)
                    let statuses = try StandaloneService.responses(answer).map(\.status)
                    failures.count(statuses)
                    if let bad = statuses.first(where: { !Self.allowed.contains($0) }) {
                        failures.add("status \(bad) for \(String(decoding: input, as: UTF8.self).debugDescription)")
                    }
                } catch {
                    failures.add("\(error) for \(String(decoding: input, as: UTF8.self).debugDescription)")
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all.count) failures, first: \(failures.all.prefix(3))")
        // The inputs really reach both the parser's error paths and the handler.
        let seen = failures.statuses
        #expect(seen[400, default: 0] > 1000 && seen[200, default: 0] > 500, "statuses seen: \(seen)")
        #expect(service.process.isRunning)
        let answer = try HTTPClient.get(service.endpoint)
        #expect(answer.status == 200 && answer.bodyLength == 64)
        #expect(try HTTPClient.get(service.endpoint, path: "/health").body == Array("ok\n".utf8))
    }

    static func random(_ rng: inout SeededGenerator) -> [UInt8] {
        (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    }

    /// A few byte flips, deletions, insertions of HTTP-ish tokens, or duplicated slices.
    static func mutate(_ seed: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = seed
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !bytes.isEmpty else { break }
            let at = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 5 {
            case 0: bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: bytes.remove(at: at)
            case 2: bytes.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
            case 3: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + Int(rng.next() % 64))], at: at)
            default: bytes.removeSubrange(at..<bytes.count)
            }
        }
        return bytes
    }
}

final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    private var counts: [Int: Int] = [:]
    func add(_ item: String) { lock.withLock { items.append(item) } }
    func count(_ statuses: [Int]) { lock.withLock { for status in statuses { counts[status, default: 0] += 1 } } }
    var all: [String] { lock.withLock { items } }
    var statuses: [Int: Int] { lock.withLock { counts } }
}
