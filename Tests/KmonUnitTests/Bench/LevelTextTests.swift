import Foundation
import Testing
@testable import KmonBench

@Suite struct LevelTextTests {
    /// results.json keeps a level as its text; it reads back as the same level.
    @Test(arguments: [BenchLevel.saturation, .trigger, .load(percent: 50), .load(percent: 12.5), .knee(rate: 2000)])
    func textRoundTrips(level: BenchLevel) throws {
        let record = PlacementSpread(arm: "sock/kernel", level: level, load: nil, nanosecondsPerRun: [100])
        let data = try JSONEncoder().encode(record)
        #expect(String(decoding: data, as: UTF8.self).contains("\"level\":\"\(level.description.replacingOccurrences(of: "/", with: "\\/"))\""))
        #expect(try JSONDecoder().decode(PlacementSpread.self, from: data).level == level)
    }

    @Test(arguments: ["", "load", "load %", "load x%", "load nan%", "load 50", "knee search at req/s", "Saturation", "load 1e999%"])
    func textNamingNoLevelIsRefused(text: String) {
        #expect(BenchLevel(rawValue: text) == nil)
    }
}
