import KmonSupport
import Testing

@Suite("accepted ranges for numbers users give")
struct AcceptedRangeTests {
    @Test("in range passes through; NaN, infinities, negatives and huge values are refused with field and range",
          arguments: [Double.nan, .infinity, -.infinity, -1, 0, 1e11, 1e300])
    func outOfRange(value: Double) {
        let error = #expect(throws: OutOfRangeError.self) { try AcceptedRange.positiveSeconds.check(value, "--duration") }
        #expect(error?.description.hasPrefix("--duration must be from 0.001 to 31536000 seconds (got ") == true, "\(String(describing: error))")
    }

    @Test func inRangeValuesAndIntegers() throws {
        #expect(try AcceptedRange.positiveSeconds.check(0.001, "--duration") == 0.001)
        #expect(try AcceptedRange.positiveSeconds.check(AcceptedRange.maximumSeconds, "--duration") == 31_536_000)
        #expect(try AcceptedRange.requestsPerSecond.check(10_000_000, "--rate") == 10_000_000)
        #expect(throws: OutOfRangeError.self) { try AcceptedRange(1...10, unit: "blocks").check(Int.max, "--reps") }
        let error = #expect(throws: OutOfRangeError.self) { try AcceptedRange(1...10, unit: "blocks").check(0, "--reps") }
        #expect(error?.description == "--reps must be from 1 to 10 blocks (got 0)")
        let shown = #expect(throws: OutOfRangeError.self) { try AcceptedRange.seconds(from: 0).check(1e30, "period", text: "\"1e30s\"") }
        #expect(shown?.description == "period must be from 0 to 31536000 seconds (got \"1e30s\")")
    }

    /// `UInt64(1e30)` traps (exit 132); the saturating form clamps, for values past a check.
    @Test func saturatingConversionsNeverTrap() {
        #expect(UInt64(saturating: 1e30) == .max)
        #expect(UInt64(saturating: Double(UInt64.max)) == .max)
        #expect(UInt64(saturating: -5) == 0)
        #expect(UInt64(saturating: .nan) == 0)
        #expect(UInt64(saturating: .infinity) == .max)
        #expect(Int(saturating: -1e300) == .min)
        #expect(Int(saturating: 1e300) == .max)
        #expect(Int32(saturating: 3e9) == .max)
        #expect(Int(saturating: 12.9) == 12)
        #expect(Int(saturating: -12.9) == -12)
        #expect(UInt64(saturating: 9_007_199_254_740_992) == 9_007_199_254_740_992)
    }
}
