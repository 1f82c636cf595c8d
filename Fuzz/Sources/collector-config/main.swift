import FuzzSupport
import KmonCollectors

// The collector config (`monitor --config`): YAML in, settings or one CollectorError out, never
// a trap.
Fuzzer.run { bytes in
    do {
        _ = try CollectorConfigFile.parse(yaml: String(decoding: bytes, as: UTF8.self))
    } catch is CollectorError {
    } catch {
        preconditionFailure("not a CollectorError: \(error)")
    }
}
