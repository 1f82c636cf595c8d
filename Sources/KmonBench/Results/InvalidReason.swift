import Foundation

/// Why a phase's or a run's numbers were dropped: a typed identity while the bench runs and
/// renders, written to results.json as its text (`invalid_blocks[].reason`), which reads back
/// typed. `RawRepresentable` gives it the standard string coding, so no coder is written here.
public enum InvalidReason: Hashable, Sendable, Codable, RawRepresentable, CustomStringConvertible {
    /// Open loop strayed from the offered rate, so the phase measured queueing (`PhaseMeasurement`).
    case offSchedule(String)
    /// Past the machine's noise limits, dropped with `--drop-noisy` (`PhaseNoise`).
    case noisy(String)
    /// Anything else: a service died, the load generator or the trigger driver failed.
    case failed(String)

    /// The labels that start the text of the typed kinds.
    static let offScheduleLabel = "off schedule"
    static let noisyLabel = "noisy"

    public var rawValue: String {
        switch self {
        case .offSchedule(let detail): "\(Self.offScheduleLabel): \(detail)"
        case .noisy(let detail): "\(Self.noisyLabel): \(detail)"
        case .failed(let text): text
        }
    }

    /// Reads the text back: the label before the first ": " names the kind; any other text is a failure's own.
    public init(rawValue text: String) {
        guard let colon = text.range(of: ": ") else {
            self = .failed(text)
            return
        }
        let detail = String(text[colon.upperBound...])
        switch text[..<colon.lowerBound] {
        case Self.offScheduleLabel: self = .offSchedule(detail)
        case Self.noisyLabel: self = .noisy(detail)
        default: self = .failed(text)
        }
    }

    public var description: String { rawValue }

    public var isOffSchedule: Bool {
        if case .offSchedule = self { return true }
        return false
    }
}
