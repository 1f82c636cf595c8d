// swift-tools-version:6.0
import PackageDescription

/// What the tests may import: every module, the C layouts and libbpf shims, and test support.
let testModules: [Target.Dependency] = [
    "BPF", "CKmonEvents", "CLibbpf", "KmonBench", "KmonContainers", "KmonBPFObjects", "KmonCollectors", "KmonDoctor", "KmonExport",
    "KmonExportAdapters", "KmonFeatures", "KmonHTTP", "KmonLoad", "KmonSupport", "KmonSystem", "KmonTcpreq", "KmonTestSupport", "KmonWorkload",
    .product(name: "Logging", package: "swift-log"),
    // deploy/kubernetes's manifests are read as YAML (DeployManifestTests).
    .product(name: "Yams", package: "Yams"),
]

let package = Package(
    name: "Kmon",
    products: [
        .executable(name: "kmon", targets: ["kmon"]),
        .executable(name: "kmon-service", targets: ["kmon-service"]),
        // One library a module, for embedding one concern (and for Benchmarks/).
        .library(name: "BPF", targets: ["BPF"]),
        .library(name: "KmonSystem", targets: ["KmonSystem"]),
        .library(name: "KmonSupport", targets: ["KmonSupport"]),
        .library(name: "KmonTcpreq", targets: ["KmonTcpreq"]),
        .library(name: "KmonContainers", targets: ["KmonContainers"]),
        .library(name: "KmonCollectors", targets: ["KmonCollectors"]),
        .library(name: "KmonExport", targets: ["KmonExport"]),
        .library(name: "KmonExportAdapters", targets: ["KmonExportAdapters"]),
        .library(name: "KmonHTTP", targets: ["KmonHTTP"]),
        .library(name: "KmonWorkload", targets: ["KmonWorkload"]),
        .library(name: "KmonLoad", targets: ["KmonLoad"]),
        .library(name: "KmonBench", targets: ["KmonBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // Small pieces every module shares: the monotonic clock, stop tokens, signal handling.
        .target(name: "KmonSupport"),
        // The one connection identity (IPAddress, SocketEndpoint, ConnectionTuple: binary, IPv4
        // and IPv6), the thin system-call layer (SystemCallError, TCPSocket) and the vocabulary
        // every layer shares (SpanRole, ProgramRunStats, HTTPMethod). Imports nothing.
        .target(name: "KmonSystem"),
        // Containers and pods from cgroup paths and the runtimes' state on the node (no API server).
        .target(name: "KmonContainers", dependencies: ["KmonSystem"]),

        // The records and keys shared with bpf/ (bpf/include), and nothing else.
        .target(name: "CKmonEvents"),
        // C shims over libbpf: only BPF imports it.
        .target(
            name: "CLibbpf",
            linkerSettings: [.linkedLibrary("bpf"), .linkedLibrary("elf"), .linkedLibrary("z")]
        ),
        // libcurl (libcurl4-openssl-dev) for the exporters' HTTP: TLS, auth, proxies, keep-alive.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // zlib, to read /proc/config.gz in process (KmonFeatures).
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Every bpf/*.bpf.c, compiled by clang -target bpf at build time and embedded.
        .target(name: "KmonBPFObjects", plugins: ["BPFCompilerPlugin"]),
        .plugin(name: "BPFCompilerPlugin", capability: .buildTool()),

        .target(
            name: "BPF",
            dependencies: ["CLibbpf", "KmonSupport", "KmonSystem", .product(name: "Logging", package: "swift-log")]
        ),
        // What the kernel allows: hook kinds, optional features, their probes, degradations.
        .target(
            name: "KmonFeatures",
            dependencies: ["BPF", "CKmonEvents", "CZlib", "KmonBPFObjects", "KmonSupport", .product(name: "Logging", package: "swift-log")]
        ),
        // tcpreq: probe variants, sessions, spans, histograms, topology.
        .target(
            name: "KmonTcpreq",
            dependencies: [
                "BPF", "CKmonEvents", "KmonBPFObjects", "KmonContainers", "KmonFeatures", "KmonSupport", "KmonSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // tcpdrop, offcpu, biostat, fcount: their probes, reports, stacks and config files.
        .target(
            name: "KmonCollectors",
            dependencies: [
                "BPF", "CKmonEvents", "KmonBPFObjects", "KmonFeatures", "KmonSupport", "KmonSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The sinks: Prometheus, InfluxDB, ClickHouse (over libcurl) and JSON lines, on their own
        // model (spans, samples, snapshots); they know nothing of BPF or span assembly.
        .target(
            name: "KmonExport",
            dependencies: [
                "CCurl", "KmonContainers", "KmonHTTP", "KmonSupport", "KmonSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // What `kmon monitor` feeds the sinks: tcpreq's spans named as the topology names them,
        // and the collectors' reports as samples, turned into KmonExport's model.
        .target(
            name: "KmonExportAdapters",
            dependencies: ["KmonCollectors", "KmonContainers", "KmonExport", "KmonSupport", "KmonSystem", "KmonTcpreq"]
        ),
        // `kmon doctor`'s report: which hooks and features this kernel has.
        .target(name: "KmonDoctor", dependencies: ["BPF", "KmonFeatures", "KmonSupport", "KmonSystem"]),
        // HTTP/1.1 request and response parsers and the blocking client, shared by the services,
        // the load generator, the Prometheus listener and the harness.
        .target(name: "KmonHTTP", dependencies: ["KmonSystem"]),
        .target(
            name: "KmonWorkload",
            dependencies: [
                "KmonHTTP", "KmonSupport", "KmonSystem",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // <sys/epoll.h> for the load generator's event loop.
        .target(name: "CKmonSockets"),
        .target(
            name: "KmonLoad",
            dependencies: [
                "CKmonSockets", "KmonHTTP", "KmonSupport", "KmonSystem",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(
            name: "KmonBench",
            dependencies: [
                "BPF", "KmonCollectors", "KmonFeatures", "KmonLoad", "KmonSupport", "KmonSystem", "KmonTcpreq", "KmonWorkload",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "kmon",
            dependencies: [
                "BPF", "KmonBench", "KmonCollectors", "KmonContainers", "KmonDoctor", "KmonExport", "KmonExportAdapters", "KmonFeatures",
                "KmonHTTP", "KmonLoad", "KmonSupport", "KmonSystem", "KmonTcpreq", "KmonWorkload",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "kmon-service", dependencies: ["KmonWorkload"]),

        // What only the tests use: a JSON value and a JSON Schema validator for results.json.
        .target(name: "KmonTestSupport", dependencies: ["KmonSystem"], path: "Tests/KmonTestSupport"),
        // Pure tests: no root, no BPF, no network.
        .testTarget(
            name: "KmonUnitTests",
            dependencies: testModules
        ),
        // Privileged tests on real kernel hooks, sockets, processes and namespaces.
        .testTarget(
            name: "KmonIntegrationTests",
            dependencies: testModules + ["kmon", "kmon-service"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
