import KmonSystem

/// The records file, little-endian, fixed size records so the bench can read it with no framing:
///
/// Header, 64 bytes:
///
/// | offset | type     | field                                   |
/// |--------|----------|-----------------------------------------|
/// | 0      | 8 bytes  | magic "KMONSVC1"                         |
/// | 8      | u16      | format version (3)                       |
/// | 10     | u16      | record size (64)                         |
/// | 12     | u32      | pid of the service                       |
/// | 16     | 48 bytes | service name, UTF-8, NUL padded          |
///
/// Then records, 88 bytes each:
///
/// | offset | type | served request (kind 1)       | downstream call (kind 2)   |
/// |--------|------|-------------------------------|----------------------------|
/// | 0      | u8   | kind = 1                      | kind = 2                   |
/// | 1      | u8   | route: 0 other, 1 "/", 2 health | 0                        |
/// | 2      | u16  | HTTP status sent              | HTTP status received, 0 = no response |
/// | 4      | u32  | ordinal on the connection     | ordinal on the connection  |
/// | 8      | u64  | request id                    | parent request id          |
/// | 16     | u64  | first read ns                 | send start ns              |
/// | 24     | u64  | handler entry ns              | response complete ns       |
/// | 32     | u64  | handler exit ns               | 0                          |
/// | 40     | u64  | response written ns           | 0                          |
/// | 48     | 36   | the connection as the service sees it (`ConnectionTuple.store`: local address, remote address, 16 bytes each in network order, IPv4 mapped; local port, remote port) |
/// | 84     | u16  | 0                             | call index                 |
/// | 86     | u8   | method received (`HTTPMethod` raw value) | method sent     |
/// | 87     | u8   | 0                             | 0                          |
///
/// Version 3 added the method at 86 (version 2 had 0 there).
///
/// Served requests: local = the server side; calls: local = our client side.
enum RecordLayout {
    static let magic: [UInt8] = Array("KMONSVC1".utf8)
    static let version: UInt16 = 3
    static let headerSize = 64
    static let recordSize = 88
    static let nameCapacity = 48
    static let servedKind: UInt8 = 1
    static let callKind: UInt8 = 2

    static func encodeHeader(service: String, pid: Int32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: headerSize)
        bytes.replaceSubrange(0..<8, with: magic)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: version.littleEndian, toByteOffset: 8, as: UInt16.self)
            raw.storeBytes(of: UInt16(recordSize).littleEndian, toByteOffset: 10, as: UInt16.self)
            raw.storeBytes(of: UInt32(bitPattern: pid).littleEndian, toByteOffset: 12, as: UInt32.self)
        }
        let name = Array(service.utf8.prefix(nameCapacity))
        bytes.replaceSubrange(16..<(16 + name.count), with: name)
        return bytes
    }

    @inline(__always)
    static func encode(_ r: ServedRequestRecord, into raw: UnsafeMutableRawPointer) {
        common(into: raw, kind: servedKind, flag: r.route.rawValue, method: r.method, status: r.status, ordinal: r.ordinal,
               connection: r.connection, callIndex: 0, id: r.requestID,
               times: (r.firstReadNs, r.handlerEntryNs, r.handlerExitNs, r.responseWrittenNs))
    }

    @inline(__always)
    static func encode(_ r: DownstreamCallRecord, into raw: UnsafeMutableRawPointer) {
        common(into: raw, kind: callKind, flag: 0, method: r.method, status: r.status, ordinal: r.ordinal,
               connection: r.connection, callIndex: r.callIndex, id: r.parentRequestID,
               times: (r.sendStartNs, r.responseCompleteNs, 0, 0))
    }

    @inline(__always)
    private static func common(into raw: UnsafeMutableRawPointer, kind: UInt8, flag: UInt8, method: HTTPMethod, status: UInt16, ordinal: UInt32,
                               connection: ConnectionTuple, callIndex: UInt16, id: UInt64,
                               times: (UInt64, UInt64, UInt64, UInt64)) {
        raw.storeBytes(of: kind, toByteOffset: 0, as: UInt8.self)
        raw.storeBytes(of: flag, toByteOffset: 1, as: UInt8.self)
        raw.storeBytes(of: status.littleEndian, toByteOffset: 2, as: UInt16.self)
        raw.storeBytes(of: ordinal.littleEndian, toByteOffset: 4, as: UInt32.self)
        raw.storeBytes(of: id.littleEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: times.0.littleEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: times.1.littleEndian, toByteOffset: 24, as: UInt64.self)
        raw.storeBytes(of: times.2.littleEndian, toByteOffset: 32, as: UInt64.self)
        raw.storeBytes(of: times.3.littleEndian, toByteOffset: 40, as: UInt64.self)
        connection.store(into: raw + 48)
        raw.storeBytes(of: callIndex.littleEndian, toByteOffset: 84, as: UInt16.self)
        raw.storeBytes(of: method.rawValue, toByteOffset: 86, as: UInt8.self)
        raw.storeBytes(of: UInt8(0), toByteOffset: 87, as: UInt8.self)
    }
}
