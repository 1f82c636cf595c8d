public struct ResultsFileError: Error, CustomStringConvertible, Equatable {
    public let description: String

    static func notJSON(_ source: String) -> ResultsFileError {
        ResultsFileError(description: "\(source) is not a kmon bench results file: it is not JSON")
    }

    static func notOurs(_ source: String, _ why: String) -> ResultsFileError {
        ResultsFileError(description: "\(source) is not a kmon bench results file: \(why)")
    }

    static func unreadable(_ path: String) -> ResultsFileError {
        ResultsFileError(description: "cannot read \(path): no such file, or not readable")
    }
}
