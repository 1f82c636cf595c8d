@testable import KmonExportAdapters
import Testing

@Suite struct RecentSetTests {
    @Test func holdsAtMostTwoGenerationsAndRenewsWhatIsAskedAbout() {
        var set = RecentSet<Int>(generationSize: 3)
        for n in 0..<3 { set.insert(n) }
        #expect(set.count == 3)
        set.insert(3)                          // retires 0, 1, 2 to the previous generation
        let renewed = set.contains(1)          // renewed into the current one: 3, 1
        set.insert(4)                          // current: 3, 1, 4
        set.insert(5)                          // retires 3, 1, 4; forgets 0 and 2
        let (forgot0, forgot2, kept1, kept5) = (!set.contains(0), !set.contains(2), set.contains(1), set.contains(5))
        #expect(renewed && forgot0 && forgot2 && kept1 && kept5)
        #expect(set.count <= 6)
        for n in 100..<10_000 { set.insert(n) }
        #expect(set.count <= 6)
        set.insert(9_999)                      // already there: no new generation
        let kept9998 = set.contains(9_998)
        #expect(kept9998)
    }
}
