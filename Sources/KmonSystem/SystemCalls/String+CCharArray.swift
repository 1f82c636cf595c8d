extension String {
    /// A fixed-size C `char[N]` (a task's comm, a program's name, `utsname`'s fields, a
    /// directory entry's name), imported as a tuple: its bytes up to the first NUL, or all N when
    /// the kernel filled it to the end. Never reads past the array, and bytes that are not UTF-8
    /// are repaired, not trusted.
    public init<CharArray>(cCharArray array: CharArray) {
        self = withUnsafeBytes(of: array) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
