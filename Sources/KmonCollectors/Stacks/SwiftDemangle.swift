import Glibc

/// Swift's own demangler, so Swift frames read as `Module.Type.method(...)`.
@_silgen_name("swift_demangle")
private func swift_demangle(_ name: UnsafePointer<CChar>?, _ length: Int, _ buffer: UnsafeMutablePointer<CChar>?,
                            _ bufferSize: UnsafeMutablePointer<Int>?, _ flags: UInt32) -> UnsafeMutablePointer<CChar>?

enum SwiftDemangle {
    /// The demangled form of a Swift symbol (`$s…`), or the name unchanged.
    static func name(_ symbol: String) -> String {
        guard symbol.hasPrefix("$s") || symbol.hasPrefix("_$s") else { return symbol }
        return symbol.withCString { raw in
            guard let out = swift_demangle(raw, strlen(raw), nil, nil, 0) else { return symbol }
            defer { free(out) }
            return String(cString: out)
        }
    }
}
