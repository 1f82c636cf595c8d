/// A fixed-size C u64 array (imported as a tuple) as an array.
func u64Array<T>(_ tuple: T) -> [UInt64] {
    withUnsafeBytes(of: tuple) { Array($0.bindMemory(to: UInt64.self)) }
}
