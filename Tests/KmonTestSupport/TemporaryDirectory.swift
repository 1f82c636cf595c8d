import Foundation
import Glibc
import KmonSystem

/// A new directory named `prefix` and six random characters, made by mkdtemp (mode 0700)
/// under `parent`; the caller removes it.
public func makeTemporaryDirectory(_ prefix: String, in parent: String = NSTemporaryDirectory()) throws -> String {
    var template = Array((parent + prefix + "-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw SystemCallError("mkdtemp") }
    return String(cString: made)
}
