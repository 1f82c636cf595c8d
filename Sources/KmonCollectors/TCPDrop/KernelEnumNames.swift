import BPF

/// Names of a kernel enum's values, read from the running kernel's BTF, so a drop reason is
/// named as this kernel defines it (the values move between kernel versions).
public struct KernelEnumNames: Sendable {
    public let names: [Int64: String]

    /// Reads `enum name` from /sys/kernel/btf/vmlinux, dropping `prefix` from each enumerator
    /// (`SKB_DROP_REASON_NO_SOCKET` → `NO_SOCKET`). Empty when the kernel lacks the enum.
    public init(kernelEnum name: String, dropping prefix: String) {
        self.init(listing: KernelBTF.enumerators(of: name) ?? "", dropping: prefix)
    }

    /// Parses "value NAME" lines.
    init(listing: String, dropping prefix: String) {
        var names: [Int64: String] = [:]
        for line in listing.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let value = Int64(parts[0]) else { continue }
            let name = String(parts[1])
            names[value] = name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
        }
        self.names = names
    }

    public func name(_ value: UInt32) -> String { names[Int64(value)] ?? "\(value)" }

    public static func dropReasons() -> KernelEnumNames {
        KernelEnumNames(kernelEnum: "skb_drop_reason", dropping: "SKB_DROP_REASON_")
    }

    public static func resetReasons() -> KernelEnumNames {
        KernelEnumNames(kernelEnum: "sk_rst_reason", dropping: "SK_RST_REASON_")
    }
}
