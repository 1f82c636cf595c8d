import Foundation
import Glibc
import KmonSystem
import KmonTestSupport
import Testing

@Suite struct ConnectionIdentityTests {
    @Test func addressesParseAndPrintInBothFamilies() throws {
        #expect(IPAddress("127.0.0.1") == .loopbackV4)
        #expect(IPAddress("127.0.0.1")?.ipv4 == 0x7F00_0001)
        #expect(IPAddress("::ffff:127.0.0.1") == .loopbackV4, "an IPv4-mapped address is the IPv4 address")
        let v6 = try #require(IPAddress("2001:db8::1"))
        #expect(v6.ipv4 == nil && v6.family == AF_INET6)
        #expect(v6.description == "2001:db8::1")
        #expect(IPAddress("::1")?.description == "::1")
        #expect(IPAddress("10.0.0.256") == nil && IPAddress("host") == nil && IPAddress("") == nil)
    }

    @Test func kernelBytesDecodeWithoutText() {
        var v4: [UInt8] = [198, 18, 0, 2] + [UInt8](repeating: 0xEE, count: 12) // the rest is ignored for AF_INET
        #expect(IPAddress(networkBytes: &v4, family: AF_INET) == IPAddress("198.18.0.2"))
        var v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [7]
        #expect(IPAddress(networkBytes: &v6, family: AF_INET6) == IPAddress("2001:db8::7"))
    }

    @Test func tuplesRoundTripThroughTheirStoredBytes() {
        for tuple in [ConnectionTuple(local: .at("198.18.0.1", 40_000), remote: .at("198.18.0.2", 8080)),
                      ConnectionTuple(local: .at("2001:db8::1", 1), remote: .at("::1", 65_535)), .none] {
            var bytes = [UInt8](repeating: 0, count: ConnectionTuple.storedSize)
            bytes.withUnsafeMutableBytes { tuple.store(into: $0.baseAddress!) }
            #expect(bytes.withUnsafeBytes { ConnectionTuple(loading: $0.baseAddress!) } == tuple)
        }
    }

    @Test func jsonKeepsTheFourTextFields() throws {
        let tuple = ConnectionTuple(local: .at("127.0.0.1", 8080), remote: .at("2001:db8::2", 40_000))
        let json = String(decoding: try JSONEncoder.sorted.encode(tuple), as: UTF8.self)
        #expect(json == #"{"local_address":"127.0.0.1","local_port":8080,"remote_address":"2001:db8::2","remote_port":40000}"#)
        #expect(try JSONDecoder().decode(ConnectionTuple.self, from: Data(json.utf8)) == tuple)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ConnectionTuple.self, from: Data(json.replacingOccurrences(of: "127.0.0.1", with: "nowhere").utf8))
        }
    }

    @Test func addressesAndEndpointsAreCodableAsTheirText() throws {
        let endpoints = [SocketEndpoint.at("127.0.0.1", 80), .at("2001:db8::1", 443)]
        let json = String(decoding: try JSONEncoder().encode(endpoints), as: UTF8.self)
        #expect(json == #"["127.0.0.1:80","[2001:db8::1]:443"]"#)
        #expect(try JSONDecoder().decode([SocketEndpoint].self, from: Data(json.utf8)) == endpoints)
        #expect(try JSONDecoder().decode([IPAddress].self, from: Data(#"["10.0.0.1","::1"]"#.utf8)) == [IPAddress("10.0.0.1"), IPAddress("::1")])
        do {
            _ = try JSONDecoder().decode([SocketEndpoint].self, from: Data(#"["nowhere"]"#.utf8))
            Issue.record("decoded an endpoint from \"nowhere\"")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.debugDescription == "not an address:port: nowhere")
        }
    }

    @Test func reversedSwapsTheEnds() {
        let tuple = ConnectionTuple(local: .at("127.0.0.1", 1), remote: .at("127.0.0.2", 2))
        #expect(tuple.reversed.local == tuple.remote && tuple.reversed.reversed == tuple)
        #expect(tuple.description == "127.0.0.1:1->127.0.0.2:2")
    }

    @Test func systemCallErrorsNameTheCallAndTheErrno() {
        let error = SystemCallError("connect(127.0.0.1:1)", errno: ECONNREFUSED)
        #expect(error.description == "connect(127.0.0.1:1): Connection refused")
        #expect(throws: SystemCallError("close(-1)", errno: EBADF)) { try SystemCall.retrying("close(-1)") { close(-1) } }
    }
}

private extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
