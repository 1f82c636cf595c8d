/// Why a bench cannot run or could not finish, as a sentence.
public struct BenchError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public static func unknownVariant(_ name: String) -> BenchError {
        BenchError(description: "unknown variant '\(name)'; choose from \(BenchOptionsParser.variantNames.joined(separator: ", "))")
    }

    public static func unknownMode(_ name: String) -> BenchError {
        BenchError(description: "unknown span mode '\(name)'; choose from \(BenchOptionsParser.modeNames.joined(separator: ", "))")
    }

    public static func badLoad(_ text: String) -> BenchError {
        BenchError(description: "load '\(text)' is out of range: give percentages of baseline saturation, each above 0 and at most 100 (e.g. --loads 50,90)")
    }

    public static func noSaturation() -> BenchError {
        BenchError(description: "no valid baseline saturation run, so load levels cannot be set; see the invalid blocks above")
    }

    public init(description: String) { self.description = description }
}
