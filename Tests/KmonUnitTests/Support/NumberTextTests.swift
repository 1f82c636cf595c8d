import KmonSupport
import Testing

@Suite struct NumberTextTests {
    @Test func wholeNumbersHaveNoFraction() {
        #expect(NumberText.plain(50) == "50" && NumberText.plain(-3) == "-3" && NumberText.plain(12.5) == "12.5")
        #expect(NumberText.plain(1e20) == "1e+20")
        #expect(NumberText.percent(50) == "50%" && NumberText.percent(12.5) == "12.5%")
    }
}
