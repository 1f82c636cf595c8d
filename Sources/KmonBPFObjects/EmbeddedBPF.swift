import Foundation

/// The BPF objects compiled from `bpf/*.bpf.c` at build time (see Plugins/BPFCompilerPlugin).
public enum EmbeddedBPF {
    /// Names of every embedded object, e.g. `"tcpreq_sock"` for `bpf/tcpreq_sock.bpf.c`.
    public static var names: [String] { base64ByName.keys.sorted() }

    /// The ELF bytes of one object, or nil when no `bpf/<name>.bpf.c` was built.
    public static func object(named name: String) -> [UInt8]? {
        guard let text = base64ByName[name], let data = Data(base64Encoded: text) else { return nil }
        return [UInt8](data)
    }
}
