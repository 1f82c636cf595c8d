import Foundation
import KmonSupport
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

    /// `10s`, `250ms`, `20us`, `100ns`, `1m`, or a plain number of seconds, within `range`.
    func durationSeconds(in range: AcceptedRange = .seconds(from: 0)) throws -> Double {
        let text = try string().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        let seconds = units.lazy.filter { text.hasSuffix($0.0) }.compactMap { suffix, scale in
            Double(text.dropLast(suffix.count)).map { $0 * scale }
        }.first ?? Double(text)
        guard let seconds else { throw CollectorError.config("\(path): bad duration \"\(text)\"; use e.g. 10s, 250ms, 20us") }
        do { return try range.check(seconds, path, text: "\"\(text)\"") } catch let error as OutOfRangeError {
            throw CollectorError.config(error.description)
        }
    }

    func durationNanoseconds() throws -> UInt64 {
        UInt64(saturating: (try durationSeconds() * 1e9).rounded())
    }
}
