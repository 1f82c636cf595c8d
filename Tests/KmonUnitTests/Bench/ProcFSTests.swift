import Glibc
import Testing
@testable import KmonBench

@Suite struct ProcFSTests {
    @Test func statLineWithAwkwardCommandName() {
        let line = "4242 (my (odd) svc) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 25 0 0 20 0 8 0 100 1000 200 18446744073709551615"
        let ticks = ProcFS.parseStatCPUTicks(line)
        #expect(ticks?.user == 150)
        #expect(ticks?.system == 25)
        #expect(ProcFS.parseStatCPUTicks("garbage") == nil)
    }

    @Test func statusAndCgroupFiles() {
        #expect(ProcFS.parseResidentKilobytes(status: "Name:\tkmon\nVmPeak:\t 9000 kB\nVmRSS:\t   20480 kB\n") == 20480)
        #expect(ProcFS.parseCgroupUsageMicroseconds(cpuStat: "usage_usec 123456\nuser_usec 100000\n") == 123456)
        #expect(ProcFS.parseCgroupUsageMicroseconds(cpuStat: "") == nil)
    }

    @Test func ownProcessIsReadable() {
        #expect(ProcFS.ownCPUMicroseconds() > 0)
        #expect(ProcFS.residentMegabytes()! > 1)
        #expect(ProcFS.processCPUMicroseconds(pid: getpid()) != nil)
    }

    @Test func environmentParsers() {
        #expect(BenchEnvironment.cpuModel(cpuinfo: "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n") == "AMD EPYC 7B13")
        #expect(BenchEnvironment.memoryMegabytes(meminfo: "MemTotal:       2048000 kB\n") == 2000)
    }
}

@Suite struct ThreadAccountingTests {
    @Test func ownThreadsAreListedWithTheirCPU() {
        let threads = ProcFS.ownThreadIDs()
        #expect(threads.contains(getpid()))
        #expect(ProcFS.ownThreadCPUMicroseconds(tid: getpid()) != nil)
        #expect(ProcFS.parseSchedstatNanoseconds("123456789 2000 30\n") == 123_456_789)
        #expect(ProcFS.parseSchedstatNanoseconds("") == nil)
    }
}
