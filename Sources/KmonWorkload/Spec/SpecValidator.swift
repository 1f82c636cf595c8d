/// Rules that span services: unique names (also as the 15-byte process names the probes see),
/// unique ports, calls and ingress naming existing services, and no call cycles.
enum SpecValidator {
    static func validate(_ spec: WorkloadSpec, lines: SpecLines = SpecLines()) throws {
        func fail(_ service: String?, _ field: String, _ value: String?, _ problem: String) -> WorkloadSpecError {
            WorkloadSpecError(file: spec.file, line: service.flatMap { lines.line(service: $0, field: field) },
                              service: service, field: field, value: value, problem: problem)
        }
        var names: Set<String> = []
        var processNames: [String: String] = [:]
        var ports: [UInt16: String] = [:]
        for service in spec.services {
            guard service.name.utf8.allSatisfy({ $0 == 0x2D || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }),
                  service.name.first != "-"
            else {
                throw fail(service.name, "name", service.name, "use lowercase letters, digits and '-' (it names processes and network namespaces)")
            }
            guard names.insert(service.name).inserted else {
                throw fail(service.name, "name", service.name, "another service has this name")
            }
            if let other = processNames[service.processName] {
                throw fail(service.name, "name", service.name,
                           "its first 15 characters (the process name \"\(service.processName)\" probes see) equal those of service \"\(other)\"")
            }
            processNames[service.processName] = service.name
            if let other = ports[service.port] {
                throw fail(service.name, "port", String(service.port), "port clash: service \"\(other)\" listens on it too")
            }
            ports[service.port] = service.name
        }
        guard names.contains(spec.ingress) else {
            throw WorkloadSpecError(file: spec.file, field: "ingress", value: spec.ingress, problem: "no service with this name")
        }
        for service in spec.services {
            for (stepIndex, step) in service.calls.enumerated() {
                for (i, callee) in step.services.enumerated() {
                    let field: String
                    if case .parallel = step { field = "calls[\(stepIndex)].parallel[\(i)]" } else { field = "calls[\(stepIndex)]" }
                    guard names.contains(callee) else { throw fail(service.name, field, callee, "calls unknown service \"\(callee)\"") }
                }
            }
        }
        if let cycle = findCycle(spec) {
            throw fail(cycle[0], "calls", cycle.joined(separator: " -> "), "call cycle; a request would never finish")
        }
    }

    /// The first call cycle found, as a path that starts and ends at the same service.
    static func findCycle(_ spec: WorkloadSpec) -> [String]? {
        enum Mark { case visiting, done }
        var marks: [String: Mark] = [:]
        var path: [String] = []
        func visit(_ name: String) -> [String]? {
            if marks[name] == .done { return nil }
            if marks[name] == .visiting {
                return Array(path[path.firstIndex(of: name)!...]) + [name]
            }
            marks[name] = .visiting
            path.append(name)
            for callee in spec.service(named: name)?.callees ?? [] {
                if let cycle = visit(callee) { return cycle }
            }
            path.removeLast()
            marks[name] = .done
            return nil
        }
        for service in spec.services {
            if let cycle = visit(service.name) { return cycle }
        }
        return nil
    }
}
