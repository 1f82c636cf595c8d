import CFuzzer
import Glibc

/// Runs libFuzzer over `body`, one call per input, and exits with its status. An input that
/// makes `body` trap, or breaks one of its preconditions, is a crash libFuzzer saves.
public enum Fuzzer {
    public static func run(_ body: @escaping (UnsafeRawBufferPointer) -> Void) -> Never {
        target = body
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            Fuzzer.target?(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        })
    }

    /// The C callback cannot capture, so the body waits here; libFuzzer calls it on one thread.
    private nonisolated(unsafe) static var target: ((UnsafeRawBufferPointer) -> Void)?
}
