import Foundation
import KmonHTTP
import KmonSupport

/// A workload: the services to run, their per-request work and calls, and the ingress the load
/// generator hits. Loaded from YAML (see docs/workloads.md) and validated as a whole.
public struct WorkloadSpec: Sendable, Equatable {
    /// The file it came from, as given; errors and reports name it.
    public var file: String
    public var name: String
    public var ingress: String
    public var services: [ServiceSpec]
    /// The load generator's requests to the ingress: top-level `methods` and `body_bytes`.
    public var requests: RequestMix

    public init(file: String, name: String, ingress: String, services: [ServiceSpec], requests: RequestMix = .getOnly) {
        self.file = file
        self.name = name
        self.ingress = ingress
        self.services = services
        self.requests = requests
    }

    /// Reads, parses and validates a spec file.
    public static func load(path: String) throws -> WorkloadSpec {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw WorkloadSpecError(file: path, field: "", problem: "cannot read the file (\(error.localizedDescription))")
        }
        return try parse(yaml: text, file: path)
    }

    /// Parses and validates spec text; `file` is only used to name the source in errors.
    public static func parse(yaml: String, file: String) throws -> WorkloadSpec {
        var decoder = SpecDecoder(file: file)
        let spec = try decoder.decode(yaml)
        try SpecValidator.validate(spec, lines: decoder.lines)
        return spec
    }

    public func service(named name: String) -> ServiceSpec? {
        services.first { $0.name == name }
    }

    /// Services ordered so that each comes after every service it calls: the order to start
    /// them in, so a caller always knows its callees' addresses.
    public var startOrder: [ServiceSpec] {
        var ordered: [ServiceSpec] = []
        var placed: Set<String> = []
        func place(_ service: ServiceSpec) {
            guard !placed.contains(service.name) else { return }
            placed.insert(service.name)
            for callee in service.callees { if let next = self.service(named: callee) { place(next) } }
            ordered.append(service)
        }
        services.forEach(place)
        return ordered
    }

    /// Caller → callee pairs: the topology a monitor should discover.
    public var edges: [(caller: String, callee: String)] {
        services.flatMap { service in service.callees.map { (service.name, $0) } }
    }
}

/// One service: where it listens, what it does per request, and whom it calls.
public struct ServiceSpec: Sendable, Equatable {
    public var name: String
    /// Listening port (loopback mode may remap it to a free port; netns mode uses it as is).
    public var port: UInt16
    public var work: WorkSpec
    public var calls: [CallStep]
    /// Statuses answered on purpose instead of the work (`errors`).
    public var errors: ErrorMix
    /// What this service sends on its downstream calls (`methods`, `body_bytes`).
    public var requests: RequestMix

    public init(name: String, port: UInt16, work: WorkSpec = WorkSpec(), calls: [CallStep] = [],
                errors: ErrorMix = ErrorMix(), requests: RequestMix = .getOnly) {
        self.name = name
        self.port = port
        self.work = work
        self.calls = calls
        self.errors = errors
        self.requests = requests
    }

    /// Every service called, in call order, each once per request.
    public var callees: [String] { calls.flatMap(\.services) }

    /// The kernel's `comm` for this service's process: the name cut to 15 bytes.
    public var processName: String { String(name.utf8.prefix(15))! }
}

/// Per-request work, done before the downstream calls: spin on the CPU, then sleep, then answer
/// with a body of `responseBytes`.
public struct WorkSpec: Sendable, Equatable {
    /// `cpu_us` and `sleep_us`: up to a minute per request, far beyond any client's timeout.
    public static let microsecondsRange = AcceptedRange(0...60_000_000, unit: "microseconds")
    /// `response_bytes`: up to 16 MiB.
    public static let responseBytesRange = AcceptedRange(0...Double(16 << 20), unit: "bytes")

    public var cpuMicros: Int
    public var sleepMicros: Int
    public var responseBytes: Int

    public init(cpuMicros: Int = 0, sleepMicros: Int = 0, responseBytes: Int = 64) {
        self.cpuMicros = cpuMicros
        self.sleepMicros = sleepMicros
        self.responseBytes = responseBytes
    }
}

/// One step of a service's calls: a single downstream call, or a parallel fan-out whose calls
/// all run at once. Steps run one after another.
public enum CallStep: Sendable, Equatable {
    case call(String)
    case parallel([String])

    public var services: [String] {
        switch self {
        case .call(let name): return [name]
        case .parallel(let names): return names
        }
    }
}
