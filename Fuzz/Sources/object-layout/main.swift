import FuzzSupport
import KmonTcpreq
import Logging
import BPF

// The base-object check (`bench --base-objects DIR`): any bytes in, through libbpf's ELF and BTF
// parsing and the layout comparison, an ExternalObject or one TcpreqError out, never a crash.
// libbpf's complaints about bad objects are expected here: they go nowhere.
var quiet = Logger(label: "fuzz.libbpf")
quiet.logLevel = .critical
LibbpfLog.install(quiet)

Fuzzer.run { bytes in
    do {
        _ = try ExternalObject(elf: Array(bytes), path: "fuzz.bpf.o", variant: .sock)
    } catch is TcpreqError {
    } catch {
        preconditionFailure("not a TcpreqError: \(error)")
    }
}
