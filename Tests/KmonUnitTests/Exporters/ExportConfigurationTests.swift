@testable import Kmon
import Testing

@Suite struct ExportConfigurationTests {
    @Test func listenAddressDefaultsToLoopbackAndPort9464() throws {
        #expect(try ListenAddress(parsing: "") == .init(host: "127.0.0.1", port: 9464))
        #expect(try ListenAddress(parsing: "9100") == .init(host: "127.0.0.1", port: 9100))
        #expect(try ListenAddress(parsing: ":9100") == .init(host: "127.0.0.1", port: 9100))
        #expect(try ListenAddress(parsing: "0.0.0.0:9464") == .init(host: "0.0.0.0", port: 9464))
        #expect(try ListenAddress(parsing: "0.0.0.0") == .init(host: "0.0.0.0", port: 9464))
        #expect(try ListenAddress(parsing: "[::1]:9200") == .init(host: "::1", port: 9200))
        #expect(try ListenAddress(parsing: "::1") == .init(host: "::1", port: 9464))
        #expect(throws: ExportError.self) { try ListenAddress(parsing: "host:99999") }
        #expect(throws: ExportError.self) { try ListenAddress(parsing: "[::1") }
    }

    @Test func influxURLsAreCheckedWithReasons() throws {
        #expect(try HTTPEndpoint(url: "http://127.0.0.1", defaultPort: 8086) == .init(host: "127.0.0.1", port: 8086))
        #expect(try HTTPEndpoint(url: "http://db.local:9999/influx/", defaultPort: 8086) == .init(host: "db.local", port: 9999, pathPrefix: "/influx"))
        let https = #expect(throws: ExportError.self) { try HTTPEndpoint(url: "https://x", defaultPort: 1) }
        #expect(https?.description.contains("only plain http://") == true)
        #expect(throws: ExportError.self) { try HTTPEndpoint(url: "127.0.0.1:8086", defaultPort: 1) }
    }

    @Test func flagsMustComeInWorkablePairs() throws {
        let missingDB = #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: "http://127.0.0.1:8086", influxDatabase: nil, jsonl: nil, period: nil)
        }
        #expect(missingDB?.description.contains("--influx-db") == true)
        #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: "kmon", jsonl: nil, period: nil)
        }
        #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: nil, jsonl: "", period: nil)
        }
        let badPeriod = #expect(throws: ExportError.self) {
            try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: nil, jsonl: nil, period: 0)
        }
        #expect(badPeriod?.description.contains("--export-period") == true)
        let all = try ExportConfiguration(prometheus: "", influx: "http://127.0.0.1:8086", influxDatabase: "kmon", jsonl: "-", period: 2)
        #expect(all.prometheus == .default)
        #expect(all.influx?.database == "kmon")
        #expect(all.period == 2)
        #expect(try ExportConfiguration(prometheus: nil, influx: nil, influxDatabase: nil, jsonl: nil, period: nil).isEmpty)
    }

    @Test func httpResponsesParseWithLengthOrChunks() throws {
        let plain = Array("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n".utf8)
        #expect(HTTPResponseParser.isComplete(plain))
        #expect(HTTPResponseParser.parse(plain)?.status == 204)
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8)
        #expect(HTTPResponseParser.isComplete(chunked))
        #expect(HTTPResponseParser.parse(chunked)?.bodyText == "abcde")
        #expect(!HTTPResponseParser.isComplete(Array(chunked.dropLast(7))))
        #expect(HTTPResponseParser.parse(Array("garbage\r\n\r\n".utf8)) == nil)
    }
}
