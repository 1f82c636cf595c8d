import Foundation
import KmonSystem
import KmonTestSupport
@testable import KmonWorkload
import Testing

@Suite struct ServiceRecordsTests {
    @Test func writtenRecordsReadBackExactly() throws {
        let path = NSTemporaryDirectory() + "kmon-records-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).bin"
        defer { unlink(path) }
        let served = ServedRequestRecord(
            requestID: 7, connection: ConnectionTuple(local: .at("198.18.3.10", 8080), remote: .at("198.18.3.1", 40000)),
            ordinal: 3, route: .work, method: .post, status: 200, firstReadNs: 1, handlerEntryNs: 2, handlerExitNs: 3, responseWrittenNs: 4)
        let call = DownstreamCallRecord(
            parentRequestID: 7, callIndex: 2, connection: ConnectionTuple(local: .at("2001:db8::1", 50000), remote: .at("2001:db8::2", 18081)),
            ordinal: 9, method: .get, status: 502, sendStartNs: UInt64.max - 1, responseCompleteNs: UInt64.max)
        let writer = try ServiceRecordWriter(path: path, service: "frontend", pid: 4242)
        writer.append(served)
        writer.append(call)
        writer.close()
        let records = try ServiceRecords.read(path: path)
        #expect(records.service == "frontend" && records.pid == 4242)
        #expect(records.served == [served])
        #expect(records.calls == [call])
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 64 + 2 * 88)
        // The method byte at 86 of each record (POST = 3, GET = 1); version 3 in the header.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes[8] == 3 && bytes[64 + 86] == 3 && bytes[64 + 88 + 86] == 1)
    }

    @Test func rejectsOtherFiles() {
        #expect(throws: ServiceRecords.FormatError.self) {
            try Array("not records at all, but long enough to hold a header of sixty-four bytes".utf8)
                .withUnsafeBytes { try ServiceRecords.decode($0, path: "x") }
        }
    }
}
