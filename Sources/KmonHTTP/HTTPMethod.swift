import Glibc
import KmonSystem

extension HTTPMethod {
    /// The method token of a request line; anything not listed is `.other` (answered with 405).
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, _ count: Int) -> HTTPMethod {
        switch count {
        case 3 where p[0] == 0x47 && p[1] == 0x45 && p[2] == 0x54: return .get
        case 3 where p[0] == 0x50 && p[1] == 0x55 && p[2] == 0x54: return .put
        case 4 where p[0] == 0x48 && p[1] == 0x45 && p[2] == 0x41 && p[3] == 0x44: return .head
        case 4 where p[0] == 0x50 && p[1] == 0x4F && p[2] == 0x53 && p[3] == 0x54: return .post
        case 5 where memcmp(p, "PATCH", 5) == 0: return .patch
        case 5 where memcmp(p, "TRACE", 5) == 0: return .trace
        case 6 where memcmp(p, "DELETE", 6) == 0: return .delete
        case 7 where memcmp(p, "OPTIONS", 7) == 0: return .options
        case 7 where memcmp(p, "CONNECT", 7) == 0: return .connect
        default: return .other
        }
    }
}
