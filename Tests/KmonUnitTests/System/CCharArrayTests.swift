import KmonSystem
import Testing

/// Fixed-size C `char[N]` arrays as Strings: bounded by the array, whatever its bytes hold.
@Suite struct CCharArrayTests {
    typealias Comm = (CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar)

    static func comm(_ bytes: [UInt8]) -> Comm {
        var raw: Comm = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes.prefix(8)) }
        return raw
    }

    @Test func stopsAtTheFirstNUL() {
        #expect(String(cCharArray: Self.comm(Array("api\0xyz".utf8))) == "api")
        #expect(String(cCharArray: Self.comm([])) == "")
    }

    /// A name the kernel filled to the end has no NUL: all of it, and nothing past it.
    @Test func aFullArrayIsReadToItsEndOnly() {
        #expect(String(cCharArray: Self.comm(Array("kmon-svc".utf8))) == "kmon-svc")
    }

    @Test func bytesThatAreNotUTF8AreRepaired() {
        #expect(String(cCharArray: Self.comm([0x61, 0xFF, 0x62])) == "a\u{FFFD}b")
    }
}
