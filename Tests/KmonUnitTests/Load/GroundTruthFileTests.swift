@testable import KmonLoad
import KmonSystem
import KmonTestSupport
import Testing

@Suite struct GroundTruthFileTests {
    static let sample = [
        GroundTruthRecord(intendedNs: 1, sendNs: 2, completeNs: 3,
                          tuple: ConnectionTuple(local: .at("127.0.0.1", 40_000), remote: .at("198.18.0.2", 18_080)), ordinal: 0, bytes: 120, connection: 3,
                          status: 200, errorCode: 0, flags: [.warmUp]),
        GroundTruthRecord(intendedNs: .max, sendNs: 1 << 40, completeNs: 1 << 41,
                          tuple: ConnectionTuple(local: .at("::", 0), remote: .at("2001:db8::1", 1)), ordinal: .max, bytes: 0, connection: 0,
                          method: .post, status: 0, errorCode: -3, flags: [.error, .timeout, .incomplete]),
    ]

    @Test func recordsAreEightyEightBytesWithSixteenByteAddresses() {
        #expect(GroundTruthFile.recordSize == 88 && GroundTruthFile.version == 3)
        #expect(GroundTruthFile.encode([Self.sample[0]]).count == GroundTruthFile.headerSize + 88)
    }

    @Test func encodeThenDecodeGivesTheSameRecords() throws {
        let bytes = GroundTruthFile.encode(Self.sample)
        #expect(bytes.count == 16 + 2 * 88)
        #expect(try GroundTruthFile.decode(bytes) == Self.sample)
    }

    @Test func fieldsSitAtTheDocumentedOffsets() {
        let bytes = GroundTruthFile.encode([Self.sample[0]])
        let record = Array(bytes[16...])
        func u(_ at: Int, _ n: Int) -> UInt64 { (0..<n).reduce(0) { $0 | UInt64(record[at + $1]) << (8 * $1) } }
        #expect(Array(bytes[0..<8]) == Array("KMONGT".utf8) + [0, 1])
        #expect(u(0, 8) == 1 && u(8, 8) == 2 && u(16, 8) == 3)
        #expect(u(24, 4) == 0 && u(28, 4) == 120 && u(32, 4) == 3 && u(36, 4) == 0)
        #expect(u(40, 2) == 200 && u(42, 2) == 4)
        // Addresses in network order, IPv4 mapped (::ffff:127.0.0.1, ::ffff:198.18.0.2).
        #expect(Array(record[44..<60]) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1])
        #expect(Array(record[60..<76]) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 198, 18, 0, 2])
        #expect(u(76, 2) == 40_000 && u(78, 2) == 18_080)
        // The method sent (GET = 1), then padding.
        #expect(record[80] == 1 && record[81..<88].allSatisfy { $0 == 0 })
        #expect(GroundTruthFile.encode([Self.sample[1]])[16 + 80] == HTTPMethod.post.rawValue)
    }

    @Test func aMethodByteNoMethodHasReadsAsOther() throws {
        var bytes = GroundTruthFile.encode([Self.sample[0]])
        bytes[16 + 80] = 200
        #expect(try GroundTruthFile.decode(bytes)[0].method == .other)
    }

    @Test func rejectsForeignAndTornFiles() {
        var bytes = GroundTruthFile.encode(Self.sample)
        #expect(throws: LoadError.self) { try GroundTruthFile.decode(Array(bytes.dropLast())) }
        bytes[0] = UInt8(ascii: "X")
        #expect(throws: LoadError.self) { try GroundTruthFile.decode(bytes) }
    }

    @Test func writesAndReadsAFile() throws {
        let path = "/tmp/kmon-gt-\(UInt32.random(in: 0...UInt32.max)).kgt"
        defer { unlink(path) }
        try GroundTruthFile.write(Self.sample, to: path)
        #expect(try GroundTruthFile.read(from: path) == Self.sample)
    }
}

import Glibc
