import Foundation
import Testing
@testable import KmonBench

@Suite struct InvalidReasonTests {
    /// The text in results.json reads back as the same kind, so renderers never look at prefixes.
    @Test(arguments: [InvalidReason.offSchedule("responses more than 3% behind the offered 100 req/s (a backlog built)"),
                      .noisy("steal 9.0% > 5%"), .failed("api died (signal 9) at 12.0 s"), .failed("trigger sock: no: colon"),
                      .failed("")])
    func textRoundTripsToTheSameKind(reason: InvalidReason) throws {
        let block = InvalidBlock(phase: "load 50%", block: 1, arm: "sock/kernel", reason: reason)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = try encoder.encode(block)
        #expect(String(decoding: data, as: UTF8.self).contains("\"reason\":\"\(reason.description)\""))
        #expect(try JSONDecoder().decode(InvalidBlock.self, from: data) == block)
    }

    @Test func onlyOffScheduleCountsAsOffSchedule() {
        #expect(InvalidReason(rawValue: "off schedule: x").isOffSchedule)
        #expect(!InvalidReason(rawValue: "off schedulex: y").isOffSchedule)
        #expect(!InvalidReason(rawValue: "noisy: off schedule: y").isOffSchedule)
        #expect(InvalidReason(rawValue: "service api died: off schedule") == .failed("service api died: off schedule"))
    }
}
