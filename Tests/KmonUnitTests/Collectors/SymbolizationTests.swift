import Foundation
import Glibc
@testable import KmonCollectors
import Testing

@Suite("stack symbolization")
struct SymbolizationTests {
    @Test("kallsyms lines name addresses inside a function")
    func kernelSymbols() {
        let symbols = KernelSymbols(kallsyms: """
            ffffffff81000000 T _stext
            ffffffff81001000 t tcp_v4_rcv
            ffffffff81002000 d some_data
            ffffffff81003000 T tcp_v4_do_rcv\t[tcp]
            """)
        #expect(symbols.symbolize(0xffffffff81001010) == "tcp_v4_rcv+0x10")
        #expect(symbols.symbolize(0xffffffff81003000) == "tcp_v4_do_rcv")
        #expect(symbols.symbolize(0xffffffff80000000) == nil)
    }

    @Test("a libc function of this very process is named through /proc/self/maps and ELF symbols")
    func userSymbols() throws {
        let handle = dlopen(nil, RTLD_NOW)
        let address = try #require(dlsym(handle, "getpid"))
        let name = ProcessSymbols(pid: getpid()).symbolize(UInt64(UInt(bitPattern: address)) + 1)
        #expect(name?.contains("getpid+0x1") == true, "got \(name ?? "nil")")
        #expect(name?.contains("libc") == true)
    }

    @Test("kernel enum listings lose their prefix")
    func enumNames() {
        let names = KernelEnumNames(listing: "2 SKB_DROP_REASON_NOT_SPECIFIED\n3 SKB_DROP_REASON_NO_SOCKET\n", dropping: "SKB_DROP_REASON_")
        #expect(names.name(3) == "NO_SOCKET")
        #expect(names.name(99) == "99")
    }

    @Test("log2 buckets match the kernel's slots")
    func log2() {
        #expect(Log2Histogram.slot(of: 0) == 0 && Log2Histogram.slot(of: 1) == 0 && Log2Histogram.slot(of: 2) == 1)
        #expect(Log2Histogram.slot(of: 20_000) == 14)
        var slots = [UInt64](repeating: 0, count: 32)
        slots[14] = 10
        slots[0] = 1
        let h = Log2Histogram(unit: "us", slots: slots)
        #expect(h.bucket(containing: 20_000) == .init(low: 16_384, high: 32_768, count: 10))
        #expect(h.bucket(containing: 1) == .init(low: 0, high: 2, count: 1))
        #expect(h.total == 11)
    }
}
