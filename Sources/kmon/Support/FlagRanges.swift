import ArgumentParser
import KmonSupport

extension AcceptedRange {
    /// Checks a flag's value in `validate()`: out of range is a usage error (exit 64) that names
    /// the flag and the range.
    func checkFlag(_ value: Double, _ flag: String) throws {
        do { try check(value, flag) } catch let error as OutOfRangeError { throw ValidationError(error.description) }
    }

    func checkFlag<T: BinaryInteger>(_ value: T, _ flag: String) throws {
        do { try check(value, flag) } catch let error as OutOfRangeError { throw ValidationError(error.description) }
    }
}
