import FuzzSupport
import KmonHTTP

// The request head parser: it must answer, never trap, and keep every range it returns inside
// the bytes it was given and every length inside its limits.
let limits = HTTPLimits(maxHeadBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 4096)
Fuzzer.run { bytes in
    guard case .head(let head) = HTTPRequestParser(limits: limits).parse(bytes) else { return }
    precondition(head.headLength <= bytes.count && head.headLength <= limits.maxHeadBytes, "head ends past the input or the limit")
    precondition(head.target.lowerBound >= 0 && head.target.upperBound <= head.headLength, "target outside the head")
    precondition((0...limits.maxBodyBytes).contains(head.contentLength), "Content-Length outside the limit")
}
