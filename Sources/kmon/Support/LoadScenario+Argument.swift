import ArgumentParser
import KmonLoad

/// `kmon load --scenario`, read by `LoadScenario(argument:)`; anything else is a usage error that
/// lists the spellings.
extension LoadScenario: ExpressibleByArgument {
    public static var allValueStrings: [String] { ["keepalive", "close", "pipelined:K", "slow-reader"] }

    public var defaultValueDescription: String { description }
}
