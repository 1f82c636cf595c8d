import Foundation
import Yams

/// A YAML node with its dotted path, so every error can say where it is (`collector.offcpu.state`).
struct ConfigNode {
    let node: Node
    let path: String

    init(_ node: Node, path: String) {
        self.node = node
        self.path = path
    }

    var isNull: Bool { node.scalar.map { $0.string == "" || $0.string == "~" || $0.string == "null" } ?? false }
    var scalar: String? { node.scalar?.string }
    var int: Int? { scalar.flatMap { Int($0) } }

    private func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The entries of a mapping, in file order.
    func mappingEntries() throws -> [(String, ConfigNode)] {
        guard let mapping = node.mapping else {
            throw CollectorError.config("\(path.isEmpty ? "the file" : path): expected a mapping of keys")
        }
        return try mapping.map { key, value in
            guard let name = key.scalar?.string else { throw CollectorError.config("\(path): keys must be plain names") }
            return (name, ConfigNode(value, path: child(name)))
        }
    }

    /// The mapping's entries by key, refusing keys outside `allowed`.
    func mapping(allowed: [String]) throws -> [String: ConfigNode] {
        var result: [String: ConfigNode] = [:]
        for (key, value) in try mappingEntries() {
            guard allowed.contains(key) else {
                throw CollectorError.config("\(child(key)): unknown key; expected one of \(allowed.joined(separator: ", "))")
            }
            result[key] = value
        }
        return result
    }

    func string() throws -> String {
        guard let scalar else { throw CollectorError.config("\(path): expected a single value") }
        return scalar
    }

    /// A scalar or a sequence of scalars.
    func scalarList() throws -> [String] {
        if let scalar { return [scalar] }
        guard let sequence = node.sequence else { throw CollectorError.config("\(path): expected a value or a list") }
        return try sequence.map {
            guard let s = $0.scalar?.string else { throw CollectorError.config("\(path): list items must be plain values") }
            return s
        }
    }

    /// `10s`, `250ms`, `20us`, `100ns`, `1m`, or a plain number of seconds.
    func durationNanoseconds() throws -> UInt64 {
        let text = try string().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value >= 0 { return UInt64(value * scale) }
        }
        if let seconds = Double(text), seconds >= 0 { return UInt64(seconds * 1e9) }
        throw CollectorError.config("\(path): bad duration \"\(text)\"; use e.g. 10s, 250ms, 20us")
    }
}
