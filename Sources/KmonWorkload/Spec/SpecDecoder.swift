import KmonSupport
import Yams

/// Turns YAML into a `WorkloadSpec`, rejecting unknown keys, wrong types and out-of-range
/// values with the line they are on. Cross-service rules live in `SpecValidator`.
struct SpecDecoder {
    let file: String
    /// Line of each (service, field) seen, so the validator's errors can point at it too.
    private(set) var lines = SpecLines()

    init(file: String) {
        self.file = file
    }

    mutating func decode(_ yaml: String) throws -> WorkloadSpec {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw WorkloadSpecError(file: file, field: "", problem: "the spec is empty")
            }
            root = node
        } catch let error as YamlError {
            throw WorkloadSpecError(file: file, field: "", problem: "not valid YAML: \(error)")
        }
        let top = try mapping(root, service: nil, field: "", allowed: ["name", "ingress", "services", "methods", "body_bytes"])
        let name = try top["name"].map { try string($0, service: nil, field: "name") } ?? "unnamed"
        guard let ingressNode = top["ingress"] else { throw missing("ingress", service: nil, in: root) }
        let ingress = try string(ingressNode, service: nil, field: "ingress")
        guard let servicesNode = top["services"] else { throw missing("services", service: nil, in: root) }
        guard case .sequence(let list) = servicesNode, !list.isEmpty else {
            throw error(servicesNode, service: nil, field: "services", problem: "must be a non-empty list of services")
        }
        let services = try list.enumerated().map { try service($0.element, index: $0.offset) }
        let requests = try requestMix(methods: top["methods"], bodyBytes: top["body_bytes"], service: nil)
        return WorkloadSpec(file: file, name: name, ingress: ingress, services: services, requests: requests)
    }

    private mutating func service(_ node: Node, index: Int) throws -> ServiceSpec {
        let field = "services[\(index)]"
        let keys = try mapping(node, service: nil, field: field, allowed: ["name", "port", "work", "calls", "errors", "methods", "body_bytes"])
        guard let nameNode = keys["name"] else { throw missing("name", service: nil, in: node, prefix: field + ".") }
        let name = try string(nameNode, service: nil, field: field + ".name")
        lines.record(service: name, field: "name", node: nameNode)
        guard let portNode = keys["port"] else { throw missing("port", service: name, in: node) }
        let port = try integer(portNode, service: name, field: "port")
        guard (1...65535).contains(port) else {
            throw error(portNode, service: name, field: "port", problem: "must be a TCP port between 1 and 65535")
        }
        lines.record(service: name, field: "port", node: portNode)
        var work = WorkSpec()
        if let workNode = keys["work"] {
            let workKeys = try mapping(workNode, service: name, field: "work", allowed: ["cpu_us", "sleep_us", "response_bytes"])
            if let n = workKeys["cpu_us"] { work.cpuMicros = try integer(n, service: name, field: "work.cpu_us", in: WorkSpec.microsecondsRange) }
            if let n = workKeys["sleep_us"] { work.sleepMicros = try integer(n, service: name, field: "work.sleep_us", in: WorkSpec.microsecondsRange) }
            if let n = workKeys["response_bytes"] {
                work.responseBytes = try integer(n, service: name, field: "work.response_bytes", in: WorkSpec.responseBytesRange)
            }
        }
        var calls: [CallStep] = []
        if let callsNode = keys["calls"] {
            guard case .sequence(let steps) = callsNode else {
                throw error(callsNode, service: name, field: "calls", problem: "must be a list of service names or {parallel: [names]}")
            }
            for (i, step) in steps.enumerated() {
                calls.append(try callStep(step, service: name, field: "calls[\(i)]"))
            }
        }
        let errors = try keys["errors"].map { try errorMix($0, service: name) } ?? ErrorMix()
        let requests = try requestMix(methods: keys["methods"], bodyBytes: keys["body_bytes"], service: name)
        return ServiceSpec(name: name, port: UInt16(port), work: work, calls: calls, errors: errors, requests: requests)
    }

    private mutating func callStep(_ node: Node, service: String, field: String) throws -> CallStep {
        if case .scalar = node {
            lines.record(service: service, field: field, node: node)
            return .call(try string(node, service: service, field: field))
        }
        let keys = try mapping(node, service: service, field: field, allowed: ["parallel"])
        guard let list = keys["parallel"], case .sequence(let names) = list, !names.isEmpty else {
            throw error(node, service: service, field: field, problem: "a call step is a service name or {parallel: [names]} with at least one name")
        }
        return .parallel(try names.enumerated().map { i, name in
            let nameField = "\(field).parallel[\(i)]"
            lines.record(service: service, field: nameField, node: name)
            return try string(name, service: service, field: nameField)
        })
    }

    // MARK: typed access

    private func mapping(_ node: Node, service: String?, field: String, allowed: Set<String>) throws -> [String: Node] {
        guard case .mapping(let pairs) = node else {
            throw error(node, service: service, field: field, problem: "must be a mapping of keys to values")
        }
        var result: [String: Node] = [:]
        let prefix = field.isEmpty ? "" : field + "."
        for (keyNode, value) in pairs {
            guard let key = keyNode.string, allowed.contains(key) else {
                throw error(keyNode, service: service, field: prefix + (keyNode.string ?? "?"),
                            problem: "unknown key; expected one of: \(allowed.sorted().joined(separator: ", "))")
            }
            guard result[key] == nil else {
                throw error(keyNode, service: service, field: prefix + key, problem: "duplicate key")
            }
            result[key] = value
        }
        return result
    }

    private func string(_ node: Node, service: String?, field: String) throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw error(node, service: service, field: field, problem: "must be a non-empty string")
        }
        return scalar.string
    }

    private func integer(_ node: Node, service: String?, field: String) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error(node, service: service, field: field, problem: "must be an integer")
        }
        return value
    }

    private func integer(_ node: Node, service: String, field: String, in range: AcceptedRange) throws -> Int {
        let value = try integer(node, service: service, field: field)
        guard range.bounds.contains(Double(value)) else { throw error(node, service: service, field: field, problem: "must be \(range)") }
        return value
    }

    private func missing(_ key: String, service: String?, in node: Node, prefix: String = "") -> WorkloadSpecError {
        WorkloadSpecError(file: file, line: node.mark.map { $0.line }, service: service, field: prefix + key, problem: "required key is missing")
    }

    func error(_ node: Node, service: String?, field: String, problem: String) -> WorkloadSpecError {
        let value: String?
        if case .scalar(let scalar) = node { value = scalar.string } else { value = nil }
        return WorkloadSpecError(file: file, line: node.mark.map { $0.line }, service: service, field: field, value: value, problem: problem)
    }
}

/// Source lines of (service, field) pairs, for errors found after decoding.
struct SpecLines: Sendable, Equatable {
    private var lines: [String: Int] = [:]

    mutating func record(service: String, field: String, node: Node) {
        if let line = node.mark?.line { lines[service + "\u{0}" + field] = line }
    }

    func line(service: String, field: String) -> Int? {
        lines[service + "\u{0}" + field]
    }
}
