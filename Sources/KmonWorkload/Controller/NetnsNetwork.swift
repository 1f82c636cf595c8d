import Foundation
import Glibc
import KmonSystem

/// The network of a workload in netns mode: one bridge in the root namespace holding the host
/// side address, and per service a network namespace joined to it by a veth pair. Addresses
/// are a /24 of 198.18.0.0/15 (RFC 2544 benchmarking) not used by anything else on the host;
/// there is no default route and no NAT, so nothing leaves the machine.
///
/// Names carry a suffix derived from the pid and a counter, so workloads can run side by side:
/// bridge "kmbr<sfx>", host-side veth "kmh<sfx><i>", netns "kmon-<sfx>-<service>"; inside each
/// namespace the veth is "eth0".
final class NetnsNetwork: @unchecked Sendable {
    struct Host: Sendable {
        let service: String
        let namespace: String
        let address: UInt32
    }

    let suffix: String
    let bridge: String
    private(set) var subnet: UInt32 = 0
    var hostAddress: UInt32 { subnet | 1 }
    private(set) var hosts: [Host] = []
    /// What exists so far, torn down in reverse on every path.
    private var created: [(kind: String, name: String)] = []

    private static let claimLock = NSLock()

    init(suffix: String, services: [String]) throws {
        self.suffix = suffix
        bridge = Self.bridgeName(suffix: suffix)
        do {
            // Choosing a free /24 and putting it on the bridge is one step for every controller
            // on the host, so two workloads starting at once never pick the same subnet.
            try Self.withSubnetLock {
                subnet = try Self.freeSubnet(seed: Int(getpid()) &* 31 &+ suffix.hashValue % 512)
                try createBridge()
            }
            try addHosts(services)
        } catch {
            _ = teardown()
            throw error
        }
    }

    private static let prefix = "/24"

    private func createBridge() throws {
        let prefix = Self.prefix
        try IPCommand.run(["link", "add", bridge, "type", "bridge"])
        created.append(("link", bridge))
        // Bridged frames skip iptables (br_netfilter may be loaded with a DROP policy on FORWARD).
        _ = try? IPCommand.run(["link", "set", bridge, "type", "bridge", "nf_call_iptables", "0"])
        try IPCommand.run(["addr", "add", IPAddress(ipv4: hostAddress).description + prefix, "dev", bridge])
        try IPCommand.run(["link", "set", bridge, "up"])
    }

    private func addHosts(_ services: [String]) throws {
        let prefix = Self.prefix
        for (i, service) in services.enumerated() {
            let namespace = Self.namespaceName(suffix: suffix, service: service)
            let veth = Self.vethName(suffix: suffix, index: i)
            let address = subnet | UInt32(10 + i)
            try IPCommand.run(["netns", "add", namespace])
            created.append(("netns", namespace))
            try IPCommand.run(["link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace])
            created.append(("link", veth))
            try IPCommand.run(["link", "set", veth, "master", bridge, "up"])
            try IPCommand.run(["-n", namespace, "addr", "add", IPAddress(ipv4: address).description + prefix, "dev", "eth0"])
            try IPCommand.run(["-n", namespace, "link", "set", "eth0", "up"])
            try IPCommand.run(["-n", namespace, "link", "set", "lo", "up"])
            hosts.append(Host(service: service, namespace: namespace, address: address))
        }
    }

    static func bridgeName(suffix: String) -> String { "kmbr" + suffix }
    static func namespaceName(suffix: String, service: String) -> String { "kmon-\(suffix)-\(service)" }
    static func vethName(suffix: String, index: Int) -> String { "kmh\(suffix)\(UniqueSuffix.base36(index, width: 2))" }

    func host(for service: String) -> Host? {
        hosts.first { $0.service == service }
    }

    /// Deletes everything created, newest first. Returns the failures (empty when clean).
    func teardown() -> [String] {
        var failures: [String] = []
        while let object = created.popLast() {
            do {
                switch object.kind {
                case "netns":
                    try IPCommand.run(["netns", "delete", object.name])
                default:
                    // A veth vanishes with its namespace; only complain if it is still there.
                    if (try? IPCommand.run(["link", "show", object.name])) != nil {
                        try IPCommand.run(["link", "delete", object.name])
                    }
                }
            } catch {
                failures.append("\(error)")
            }
        }
        return failures
    }

    private static func withSubnetLock(_ body: () throws -> Void) throws {
        claimLock.lock()
        defer { claimLock.unlock() }
        // In the ledger directory: root's own, checked, so no other user can hold the lock.
        let directory = try PrivateDirectory.ensure(WorkloadLedger.directory)
        let fd = open(directory + "/subnet.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 { flock(fd, LOCK_EX) }
        defer { if fd >= 0 { close(fd) } }
        try body()
    }

    /// A /24 in 198.18.0.0/15 that no interface on the host uses yet.
    private static func freeSubnet(seed: Int) throws -> UInt32 {
        let inUse = try IPCommand.run(["-4", "-o", "addr", "show"])
        let base: UInt32 = 0xC612_0000 // 198.18.0.0
        for step in 0..<512 {
            let candidate = base + UInt32((abs(seed) + step) % 512) << 8
            let text = IPAddress(ipv4: candidate).description
            let stem = String(text.dropLast(1)) // "198.18.x."
            if !inUse.contains(" " + stem) { return candidate }
        }
        throw IPCommand.Failure(command: "choosing a subnet", message: "every /24 of 198.18.0.0/15 is in use")
    }
}
