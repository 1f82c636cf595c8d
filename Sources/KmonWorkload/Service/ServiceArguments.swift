import KmonSupport
import KmonSystem
/// Command line of `kmon-service`:
///
///     kmon-service --spec FILE --service NAME [--bind ADDR:PORT] [--peer NAME=ADDR:PORT]...
///                  [--records FILE] [--port-file FILE] [--read-timeout-ms N] [--idle-timeout-ms N]
///                  [--call-timeout-ms N] [--max-connections N]
///
/// Defaults: bind 127.0.0.1 on the spec's port; each callee at 127.0.0.1 on its spec port.
public struct ServiceArguments: Equatable, Sendable {
    public var specPath: String = ""
    public var service: String = ""
    public var bind: SocketEndpoint?
    public var peers: [String: SocketEndpoint] = [:]
    public var recordsPath: String?
    /// Written with the bound port once listening: how a controller learns a port picked by bind port 0.
    public var portFile: String?
    /// A request must arrive whole within this long after its first byte or it gets 408; a new
    /// connection must send its first byte within this long or it is closed.
    public var readTimeoutMs = 5_000
    /// A keep-alive connection with no request for this long after its last answer is closed.
    public var idleTimeoutMs = 300_000
    public var callTimeoutMs = 10_000
    /// Connections held open at once, one thread each (see `ConnectionTable`). 1024 threads with
    /// 512 KiB stacks reserve 512 MiB of address space and a few tens of MiB resident, far above the
    /// load generator's 8 to 16 connections.
    public var maxConnections = 1024
    /// Up to 2^20, the kernel's usual ceiling on a process's descriptors.
    static let connectionsRange = AcceptedRange(1...1_048_576, unit: "connections")
    /// The timeouts: up to a day, so nanoseconds and poll(2)'s Int32 milliseconds hold them.
    static let millisecondsRange = AcceptedRange(1...86_400_000, unit: "milliseconds")

    public init() {}

    public init<S: Sequence>(_ arguments: S) throws where S.Element == String {
        var iterator = arguments.makeIterator()
        func value(_ flag: String) throws -> String {
            guard let next = iterator.next() else { throw ServiceArgumentsError("\(flag) needs a value") }
            return next
        }
        func endpoint(_ flag: String, _ text: String) throws -> SocketEndpoint {
            guard let endpoint = SocketEndpoint(text) else { throw ServiceArgumentsError("\(flag): \"\(text)\" is not ADDR:PORT") }
            return endpoint
        }
        func number(_ flag: String, in range: AcceptedRange) throws -> Int {
            let text = try value(flag)
            guard let n = Int(text), range.bounds.contains(Double(n)) else {
                throw ServiceArgumentsError("\(flag) must be \(range) (got \"\(text)\")")
            }
            return n
        }
        while let flag = iterator.next() {
            switch flag {
            case "--spec": specPath = try value(flag)
            case "--service": service = try value(flag)
            case "--bind": bind = try endpoint(flag, try value(flag))
            case "--records": recordsPath = try value(flag)
            case "--port-file": portFile = try value(flag)
            case "--read-timeout-ms": readTimeoutMs = try number(flag, in: Self.millisecondsRange)
            case "--idle-timeout-ms": idleTimeoutMs = try number(flag, in: Self.millisecondsRange)
            case "--call-timeout-ms": callTimeoutMs = try number(flag, in: Self.millisecondsRange)
            case "--max-connections": maxConnections = try number(flag, in: Self.connectionsRange)
            case "--peer":
                let text = try value(flag)
                guard let equals = text.firstIndex(of: "=") else { throw ServiceArgumentsError("--peer: \"\(text)\" is not NAME=ADDR:PORT") }
                peers[String(text[..<equals])] = try endpoint(flag, String(text[text.index(after: equals)...]))
            default:
                throw ServiceArgumentsError("unknown argument \"\(flag)\"")
            }
        }
        if specPath.isEmpty { throw ServiceArgumentsError("--spec FILE is required") }
        if service.isEmpty { throw ServiceArgumentsError("--service NAME is required") }
    }

    /// The arguments as a command line, for a controller to spawn with.
    public var commandLine: [String] {
        var args = ["--spec", specPath, "--service", service]
        if let bind { args += ["--bind", bind.description] }
        for (name, endpoint) in peers.sorted(by: { $0.key < $1.key }) { args += ["--peer", "\(name)=\(endpoint)"] }
        if let recordsPath { args += ["--records", recordsPath] }
        if let portFile { args += ["--port-file", portFile] }
        args += ["--read-timeout-ms", String(readTimeoutMs), "--idle-timeout-ms", String(idleTimeoutMs),
                 "--call-timeout-ms", String(callTimeoutMs), "--max-connections", String(maxConnections)]
        return args
    }
}

public struct ServiceArgumentsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
