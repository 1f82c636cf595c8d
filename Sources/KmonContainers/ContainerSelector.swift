import Foundation

/// `--container REGEX` and `--pod NAMESPACE/NAME-REGEX`: which containers to watch. A
/// container is chosen when either pattern finds a match (a search: anchor with ^ and $) in,
/// for `container`, its name or id, and for `pod`, its pod's `namespace/name`.
public struct ContainerSelector: Sendable, Equatable {
    public var container: String?
    public var pod: String?
    private let containerRegex: Regex?
    private let podRegex: Regex?

    /// Throws `ContainerSelectorError` naming `field` for a pattern that does not compile.
    public init(container: String? = nil, pod: String? = nil, field: (container: String, pod: String) = ("--container", "--pod")) throws {
        self.container = container
        self.pod = pod
        containerRegex = try container.map { try Regex($0, field: field.container) }
        podRegex = try pod.map { try Regex($0, field: field.pod) }
    }

    public static func == (a: ContainerSelector, b: ContainerSelector) -> Bool { a.container == b.container && a.pod == b.pod }

    public func matches(_ info: ContainerInfo) -> Bool {
        guard info.runtime != .systemd else { return false }
        if let containerRegex, [info.name, info.id].contains(where: { $0.map(containerRegex.finds) ?? false }) { return true }
        if let podRegex, let pod = info.pod { return podRegex.finds("\(info.namespace ?? "")/\(pod)") }
        return false
    }

    /// NSRegularExpression is immutable and thread-safe once made.
    struct Regex: @unchecked Sendable {
        let expression: NSRegularExpression
        init(_ pattern: String, field: String) throws {
            do { expression = try NSRegularExpression(pattern: pattern) } catch {
                throw ContainerSelectorError(field: field, pattern: pattern)
            }
        }
        func finds(_ text: String) -> Bool {
            expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
    }
}

public struct ContainerSelectorError: Error, CustomStringConvertible, Equatable {
    public var field: String
    public var pattern: String
    public init(field: String, pattern: String) {
        self.field = field
        self.pattern = pattern
    }
    public var description: String { "\(field): '\(pattern)' is not a regular expression" }
}
