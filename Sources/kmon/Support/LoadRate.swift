import ArgumentParser
import KmonLoad
import KmonSupport

/// `kmon load --rate`: requests per second in total, or `max` for closed loop. Text that is no
/// number reads as NaN and fails `check()` with the out-of-range sentence, which offers `max`
/// and quotes the text as given.
struct LoadRate: ExpressibleByArgument {
    /// nil: `max`.
    let perSecond: Double?
    let text: String

    init(argument: String) {
        if argument == "max" {
            perSecond = nil
        } else {
            perSecond = Double(argument) ?? .nan
        }
        text = argument
    }

    static let max = LoadRate(argument: "max")

    var defaultValueDescription: String { text }

    func model(poisson: Bool) -> LoadModel {
        perSecond.map { .openLoop(rate: $0, poisson: poisson) } ?? .closedLoop
    }

    /// A usage error naming the accepted rates unless this one is among them.
    func check() throws {
        guard let perSecond, !AcceptedRange.requestsPerSecond.bounds.contains(perSecond) else { return }
        throw ValidationError("--rate must be 'max' or \(AcceptedRange.requestsPerSecond) (got '\(text)')")
    }
}
