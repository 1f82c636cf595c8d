import Glibc
import KmonSystem

/// The ground-truth records file: a 16-byte header, then one 88-byte record per request, all
/// little-endian but the addresses, in no particular order (sort by `sendNs` if needed).
///
/// ```
/// header  0  8  magic "KMONGT\0\1"
///         8  4  u32 version (3)
///        12  4  u32 record size (88)
/// record  0  8  u64 intended_ns      CLOCK_MONOTONIC
///         8  8  u64 send_ns          just before the first write
///        16  8  u64 complete_ns      just after the read that completed the response
///        24  4  u32 ordinal          0-based index of the request on its TCP connection
///        28  4  u32 bytes            response bytes, headers included
///        32  4  u32 connection       generator connection slot
///        36  4  i32 error_code       errno, or negative GroundTruthRecord.Failure code, 0 = ok
///        40  2  u16 status           HTTP status, 0 if none
///        42  2  u16 flags            1 error, 2 timeout, 4 warm-up, 8 not sent, 16 incomplete,
///                                    32 waited for its connection
///        44 36      tuple            `ConnectionTuple.store`: local (client) address, remote
///                                    address (16 bytes each, network order, IPv4 mapped),
///                                    local port, remote port (u16)
///        80  1  u8  method           sent (`HTTPMethod` raw value)
///        81  7      0                padding to a multiple of 8
/// ```
///
/// Version 3 added the method and grew the record from 80 bytes.
public enum GroundTruthFile {
    public static let magic: [UInt8] = Array("KMONGT".utf8) + [0, 1]
    public static let version: UInt32 = 3
    public static let headerSize = 16
    public static let recordSize = 88

    /// Encodes records into the file format.
    public static func encode<C: Collection>(_ records: C) -> [UInt8] where C.Element == GroundTruthRecord {
        var out = [UInt8]()
        out.reserveCapacity(headerSize + records.count * recordSize)
        out += magic
        out.appendLittleEndian(version)
        out.appendLittleEndian(UInt32(recordSize))
        for r in records {
            out.appendLittleEndian(r.intendedNs)
            out.appendLittleEndian(r.sendNs)
            out.appendLittleEndian(r.completeNs)
            out.appendLittleEndian(r.ordinal)
            out.appendLittleEndian(r.bytes)
            out.appendLittleEndian(r.connection)
            out.appendLittleEndian(UInt32(bitPattern: r.errorCode))
            out.appendLittleEndian(r.status)
            out.appendLittleEndian(r.flags.rawValue)
            let at = out.count
            out += repeatElement(0, count: ConnectionTuple.storedSize)
            out.withUnsafeMutableBytes { r.tuple.store(into: $0.baseAddress! + at) }
            out.append(r.method.rawValue)
            out += repeatElement(0, count: 7)
        }
        return out
    }

    /// Decodes a whole file's bytes; throws on a wrong magic, version, size or a torn record.
    public static func decode(_ bytes: [UInt8], path: String = "<memory>") throws -> [GroundTruthRecord] {
        guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else {
            throw LoadError.records(path, "not a ground-truth records file (bad magic)")
        }
        var reader = LittleEndianReader(bytes: bytes, offset: 8)
        let fileVersion: UInt32 = reader.read()
        let size: UInt32 = reader.read()
        guard fileVersion == version, size == UInt32(recordSize) else {
            throw LoadError.records(path, "version \(fileVersion) with \(size)-byte records; this kmon reads version \(version) with \(recordSize)-byte records")
        }
        let body = bytes.count - headerSize
        guard body % recordSize == 0 else {
            throw LoadError.records(path, "truncated: \(body % recordSize) bytes after the last whole record")
        }
        var records = [GroundTruthRecord]()
        records.reserveCapacity(body / recordSize)
        for _ in 0..<(body / recordSize) {
            var r = GroundTruthRecord(intendedNs: reader.read(), sendNs: reader.read(), completeNs: reader.read(),
                                      tuple: .none, ordinal: 0)
            r.ordinal = reader.read()
            r.bytes = reader.read()
            r.connection = reader.read()
            r.errorCode = Int32(bitPattern: reader.read())
            r.status = reader.read()
            r.flags = GroundTruthRecord.Flags(rawValue: reader.read())
            r.tuple = reader.readTuple()
            let method: UInt8 = reader.read()
            r.method = HTTPMethod(rawValue: method) ?? .other
            reader.offset += 7
            records.append(r)
        }
        return records
    }

    /// Writes records to `path`, replacing it whole (`OutputFile.replace`: never through a symlink).
    public static func write<C: Collection>(_ records: C, to path: String) throws where C.Element == GroundTruthRecord {
        do { try OutputFile.replace(path, with: encode(records)) } catch let error as OutputFileError {
            throw LoadError.records(path, error.reason)
        }
    }

    /// Reads every record of a file written by `write(_:to:)` (or `kmon load --records`).
    public static func read(from path: String) throws -> [GroundTruthRecord] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LoadError.records(path, "\(SystemCallError("cannot open"))") }
        defer { close(fd) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw LoadError.records(path, "\(SystemCallError("read"))")
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return try decode(bytes, path: path)
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

struct LittleEndianReader {
    let bytes: [UInt8]
    var offset: Int

    mutating func read<T: FixedWidthInteger>() -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size {
            value |= T(truncatingIfNeeded: bytes[offset + i]) << (8 * i)
        }
        offset += MemoryLayout<T>.size
        return value
    }

    mutating func readTuple() -> ConnectionTuple {
        defer { offset += ConnectionTuple.storedSize }
        return bytes.withUnsafeBytes { ConnectionTuple(loading: $0.baseAddress! + offset) }
    }
}
