// swift-tools-version:6.1
import PackageDescription

// Performance record of Kmon, kept out of the main build: package-benchmark is heavy.
// Run: cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
let package = Package(
    name: "KmonBenchmarks",
    dependencies: [
        .package(name: "Kmon", path: ".."),
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "EventDecoding",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "BPF", package: "Kmon"),
                .product(name: "KmonTcpreq", package: "Kmon"),
            ],
            path: "Benchmarks/EventDecoding",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // End to end against a real clickhouse-server (Debian's clickhouse-server, or KMON_CLICKHOUSE_URL).
        .executableTarget(
            name: "ClickHouseSink",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "KmonExport", package: "Kmon"),
                .product(name: "KmonSupport", package: "Kmon"),
                .product(name: "KmonSystem", package: "Kmon"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ClickHouseSink",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
