/// A fixed-size C char array (imported as a tuple) as a Swift string, up to its first NUL.
func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// A fixed-size C u64 array (imported as a tuple) as an array.
func u64Array<T>(_ tuple: T) -> [UInt64] {
    withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: UInt64.self)) }
}
