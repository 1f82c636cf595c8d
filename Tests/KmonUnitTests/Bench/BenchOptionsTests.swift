import Testing
@testable import KmonBench

@Suite struct BenchOptionsTests {
    @Test func armsFromVariantsAndModes() throws {
        let arms = try BenchOptionsParser.arms(variants: "empty, sock,syscall", modes: "kernel,user")
        #expect(arms.map(\.name) == ["baseline", "baseline-aa", "empty", "sock/kernel", "sock/user", "syscall/kernel", "syscall/user"])
        #expect(throws: BenchError.unknownVariant("telepathy")) { try BenchOptionsParser.arms(variants: "sock,telepathy", modes: "kernel") }
        #expect(throws: BenchError.unknownMode("psychic")) { try BenchOptionsParser.arms(variants: "sock", modes: "psychic") }
    }

    /// A low knee must not leave an accuracy run a few hundred requests (CI had 286 at 95 req/s).
    @Test func accuracyRunsLengthenTowardsTwoThousandRequestsAtLowRates() {
        let lengths = BenchPreset.quick.lengths  // 3 s
        #expect(ArmRunner.duration(rate: 2_000, lengths: lengths) == 3)
        #expect(abs(ArmRunner.duration(rate: 95, lengths: lengths) - 2_000 / 95) < 1e-9)
        #expect(ArmRunner.duration(rate: 10, lengths: lengths) == 30)
        #expect(ArmRunner.duration(rate: nil, lengths: lengths) == 3)
    }

    @Test func collectorArmsAtOneOrEveryLevel() throws {
        let arms = try BenchOptionsParser.collectorArms("offcpu@2,biostat")
        #expect(arms.map(\.name) == ["offcpu@2", "biostat@1", "biostat@2"])
        #expect(arms.allSatisfy { !$0.isBaseline })
        #expect(throws: BenchError.self) { try BenchOptionsParser.collectorArms("offcpu@7") }
        #expect(throws: BenchError.self) { try BenchOptionsParser.collectorArms("tcpreq") }
        #expect(try BenchOptionsParser.collectorArms("").isEmpty)
    }

    @Test func loadsArePercentagesOfSaturation() throws {
        #expect(try BenchOptionsParser.loads("50, 90%,50") == [50, 90])
        for bad in ["0", "150", "-5", "fast", ""] {
            #expect(throws: BenchError.self, "\(bad)") { try BenchOptionsParser.loads(bad) }
        }
    }
}
