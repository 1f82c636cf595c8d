/// A spec the harness cannot run, named precisely: file, line, service, field and value.
public struct WorkloadSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let service: String?
    /// Dotted path of the field, e.g. "calls[1].parallel[0]" or "work.cpu_us"; empty for the file.
    public let field: String
    public let value: String?
    public let problem: String

    public init(file: String, line: Int? = nil, service: String? = nil, field: String, value: String? = nil, problem: String) {
        self.file = file
        self.line = line
        self.service = service
        self.field = field
        self.value = value
        self.problem = problem
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        var parts: [String] = []
        if let service { parts.append("service \"\(service)\"") }
        if !field.isEmpty { parts.append("field \"\(field)\"") }
        if let value { parts.append("value \"\(value)\"") }
        text += ": " + (parts.isEmpty ? "" : parts.joined(separator: ", ") + ": ")
        return text + problem
    }
}
