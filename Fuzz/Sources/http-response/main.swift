import FuzzSupport
import KmonHTTP

// The incremental response parser: it must never trap, and must see the same responses and the
// same error whether the stream arrives at once or in small pieces (the first input byte picks
// the piece size, 1 to 16 bytes).
let limits = HTTPLimits(maxHeadBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 4096)

struct Outcome: Equatable {
    var responses: [HTTPResponse] = []
    var error: HTTPParseError?
}

func parse(_ stream: UnsafeRawBufferPointer, pieceSize: Int) -> Outcome {
    var parser = HTTPResponseParser(limits: limits, keepsBody: true)
    var outcome = Outcome()
    do {
        var start = 0
        while start < stream.count {
            let end = min(start + pieceSize, stream.count)
            try parser.consume(UnsafeRawBufferPointer(rebasing: stream[start..<end])) { outcome.responses.append($0) }
            start = end
        }
    } catch let error as HTTPParseError {
        outcome.error = error
    } catch {
        preconditionFailure("unexpected error \(error)")
    }
    for response in outcome.responses {
        precondition((100...599).contains(response.status) && response.bodyLength <= limits.maxBodyBytes, "response out of range")
        precondition(response.body?.count == response.bodyLength, "body length differs from Content-Length")
    }
    return outcome
}

Fuzzer.run { bytes in
    guard let first = bytes.first else { return }
    let stream = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
    let whole = parse(stream, pieceSize: max(stream.count, 1))
    let pieces = parse(stream, pieceSize: Int(first % 16) + 1)
    precondition(whole == pieces, "pieces give \(pieces), the whole stream \(whole)")
}
