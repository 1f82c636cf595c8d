import ArgumentParser

/// `kmon monitor --http`: whether the kernel reads each request's method and each response's status.
enum HTTPReading: String, CaseIterable, ExpressibleByArgument {
    case on
    case off

    var readsHTTP: Bool { self == .on }
}
