// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets, one per parser of untrusted bytes, kept out of the main build.
// Build and run through scripts/fuzz (docs/development.md, "Fuzzing").
let kmon = "Kmon"

/// One executable per parser, named as its corpus folder (Corpus/NAME); its main.swift hands
/// libFuzzer the body to run on each input.
func fuzzTarget(_ name: String, _ products: [String], extra: [Target.Dependency] = []) -> Target {
    .executableTarget(name: name, dependencies: ["FuzzSupport"] + products.map { .product(name: $0, package: kmon) } + extra)
}

let package = Package(
    name: "KmonFuzz",
    dependencies: [
        .package(name: kmon, path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .target(name: "CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"]),
        fuzzTarget("http-request", ["KmonHTTP"]),
        fuzzTarget("http-response", ["KmonHTTP"]),
        fuzzTarget("workload-spec", ["KmonWorkload"]),
        fuzzTarget("collector-config", ["KmonCollectors"]),
        fuzzTarget("bench-results", ["KmonBench"]),
        fuzzTarget("elf-symbols", ["KmonCollectors"]),
        fuzzTarget("object-layout", ["BPF", "KmonTcpreq"], extra: [.product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v5]
)
