import KmonTcpreq
import Testing
@testable import KmonBench

@Suite struct BenchOptionsTests {
    @Test func armsFromVariantsAndModes() throws {
        let arms = BenchOptionsParser.arms(variants: try BenchOptionsParser.variants("empty, sock,syscall"),
                                           modes: try BenchOptionsParser.modes("kernel,user"))
        #expect(arms.map(\.name) == ["baseline", "baseline-aa", "empty", "sock/kernel", "sock/user", "syscall/kernel", "syscall/user"])
        #expect(throws: BenchError.unknownVariant("telepathy")) { try BenchOptionsParser.variants("sock,telepathy") }
        #expect(throws: BenchError.unknownMode("psychic")) { try BenchOptionsParser.modes("psychic") }
    }

    /// --http-off: each arm that reads method and status gets a twin that reads none; the gate's
    /// twins are for this build's own arms only, and the twin loads with reading off.
    @Test func httpOffTwinsForArmsThatRead() throws {
        let arms = BenchOptionsParser.withHTTPOff(BenchOptionsParser.arms(variants: [.empty, .sock, .skb], modes: [.kernel, .histogram]))
        #expect(arms.map(\.name) == ["baseline", "baseline-aa", "empty", "sock/kernel", "sock/histogram", "skb/kernel", "skb/histogram",
                                      "sock/kernel@nohttp", "skb/kernel@nohttp"])
        var objects = ProbeObjects()
        objects.directory = "/base"
        #expect(objects.arms(arms).filter { $0.build == .base }.map(\.name)
            == ["empty@base", "sock/kernel@base", "sock/histogram@base", "skb/kernel@base", "skb/histogram@base"])
        var configuration = TcpreqConfiguration()
        objects.configure(&configuration, for: .probe(.sock))
        #expect(configuration.readsHTTP)
        objects.configure(&configuration, for: BenchArm.probe(.sock).with(.noHTTP))
        #expect(!configuration.readsHTTP)
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

    /// Presets are typed: each list reads as the arms and levels the flags would give.
    @Test func presetsHoldTypedArmsAndLevels() throws {
        let paper = BenchPreset.named(.paper)
        #expect(paper == .paper && paper.loadPercents == [50] && paper.lengths == BenchPreset.standard.lengths)
        #expect(BenchOptionsParser.arms(variants: paper.variants, modes: paper.modes)
            == BenchOptionsParser.arms(variants: try BenchOptionsParser.variants("empty,sock,syscall,kprobe,fentry"),
                                       modes: try BenchOptionsParser.modes("user,kernel")))
        #expect(paper.collectorArms == (try BenchOptionsParser.collectorArms("tcpdrop@1,tcpdrop@3,offcpu@1,offcpu@3,biostat@1,biostat@2,fcount@1")))
        #expect(BenchPreset.standard.loadPercents == (try BenchOptionsParser.loads("25,50,75")))
        #expect(try BenchOptionsParser.variants("baseline,sock") == [.sock])
        #expect(throws: BenchError.self) { try BenchOptionsParser.modes("") }
    }
}
