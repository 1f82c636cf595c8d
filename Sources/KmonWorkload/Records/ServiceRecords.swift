import Foundation
import KmonSystem

/// A service's records file, read back (format: `RecordLayout`).
public struct ServiceRecords: Sendable {
    public var service: String
    public var pid: Int32
    public var served: [ServedRequestRecord]
    public var calls: [DownstreamCallRecord]

    public struct FormatError: Error, CustomStringConvertible {
        public let path: String
        public let problem: String
        public var description: String { "\(path): not a kmon-service records file: \(problem)" }
    }

    public static func read(path: String) throws -> ServiceRecords {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try data.withUnsafeBytes { try decode($0, path: path) }
    }

    static func decode(_ raw: UnsafeRawBufferPointer, path: String) throws -> ServiceRecords {
        guard raw.count >= RecordLayout.headerSize, Array(raw[0..<8]) == RecordLayout.magic else {
            throw FormatError(path: path, problem: "missing KMONSVC1 header")
        }
        let version = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        let size = Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 10, as: UInt16.self)))
        guard version == RecordLayout.version, size == RecordLayout.recordSize else {
            throw FormatError(path: path, problem: "version \(version) with \(size)-byte records; this reader knows version \(RecordLayout.version) with \(RecordLayout.recordSize)")
        }
        let pid = Int32(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)))
        let nameBytes = raw[16..<(16 + RecordLayout.nameCapacity)].prefix { $0 != 0 }
        var records = ServiceRecords(service: String(decoding: nameBytes, as: UTF8.self), pid: pid, served: [], calls: [])
        let body = raw.count - RecordLayout.headerSize
        // A service killed mid-write may leave a partial record; it is ignored.
        for index in 0..<(body / size) {
            let offset = RecordLayout.headerSize + index * size
            func u16(_ at: Int) -> UInt16 { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + at, as: UInt16.self)) }
            func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self)) }
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + at, as: UInt64.self)) }
            let connection = ConnectionTuple(loading: raw.baseAddress! + offset + 48)
            // A byte no method has reads as `other`: the file is ground truth, not trusted input.
            let method = HTTPMethod(rawValue: raw[offset + 86]) ?? .other
            switch raw[offset] {
            case RecordLayout.servedKind:
                records.served.append(ServedRequestRecord(
                    requestID: u64(8), connection: connection, ordinal: u32(4),
                    route: ServedRequestRecord.Route(rawValue: raw[offset + 1]) ?? .other, method: method, status: u16(2),
                    firstReadNs: u64(16), handlerEntryNs: u64(24), handlerExitNs: u64(32), responseWrittenNs: u64(40)))
            case RecordLayout.callKind:
                records.calls.append(DownstreamCallRecord(
                    parentRequestID: u64(8), callIndex: u16(84), connection: connection, ordinal: u32(4),
                    method: method, status: u16(2), sendStartNs: u64(16), responseCompleteNs: u64(24)))
            default:
                throw FormatError(path: path, problem: "record \(index) has unknown kind \(raw[offset])")
            }
        }
        return records
    }
}
