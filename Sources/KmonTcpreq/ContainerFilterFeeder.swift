import BPF
import Foundation
import KmonContainers
import KmonSupport
import Logging

/// Keeps `target_cgroup_ids` equal to the cgroups of the containers `--container`/`--pod`
/// choose. A regex cannot run in the kernel, so this walks the cgroup2 tree and re-walks it
/// every `interval` (1 s): a container started after the monitor is watched within about that
/// long (its first connections before then are not), and a stopped one leaves the set.
final class ContainerFilterFeeder {
    private let map: BPFMap
    private let selector: ContainerSelector
    private let resolver: ContainerResolver
    private let root: String
    private let interval: Double
    private var current = Set<UInt64>()
    private let lock = NSLock()
    private let stopToken = StopToken()
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)
    /// Cgroups chosen that the map had no room for, at the last refresh (it holds 4,096).
    private(set) var refused = 0

    private let logger: Logger

    init(map: BPFMap, selector: ContainerSelector, resolver: ContainerResolver, root: String, interval: Double = 1,
         logger: Logger = Logger(label: "kmon.tcpreq")) {
        self.logger = logger
        self.map = map
        self.selector = selector
        self.resolver = resolver
        self.root = root
        self.interval = interval
    }

    /// The cgroup ids the map should hold now.
    func wanted() -> Set<UInt64> {
        Set(CgroupScan.containerCgroups(root: root).filter { entry in
            resolver.info(ofCgroupPath: entry.path).map(selector.matches) ?? false
        }.map(\.cgroupID))
    }

    /// Brings the map up to date: adds new cgroups, removes gone ones (and their cached names).
    func refresh() {
        lock.lock()
        defer { lock.unlock() }
        let next = wanted()
        for id in current.subtracting(next) {
            try? map.delete(id)
            resolver.forget(cgroupID: id)
        }
        current.formIntersection(next)
        var nowRefused = 0
        for id in next.subtracting(current) {
            do {
                try map.update(id, UInt8(1))
                current.insert(id)
            } catch {
                nowRefused += 1
            }
        }
        // Never silent: a chosen container the set has no room for is not watched.
        if nowRefused > refused {
            logger.warning("container filter full: \(nowRefused) chosen cgroups are not watched (the set holds 4,096)")
        }
        refused = nowRefused
    }

    var watched: Set<UInt64> { lock.withLock { current } }

    func start() {
        let t = Thread { [self] in
            while !stopToken.wait(seconds: interval) { refresh() }
            done.signal()
        }
        t.name = "kmon-container-filter"
        thread = t
        t.start()
    }

    func stop() {
        guard thread != nil else { return }
        stopToken.stop(reason: "session stopped")
        done.wait()
        thread = nil
    }
}
