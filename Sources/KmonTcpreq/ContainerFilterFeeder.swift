import BPF
import Foundation
import KmonContainers
import Logging

/// Keeps `target_cgroup_ids` equal to the cgroups of the containers `--container`/`--pod`
/// choose. A regex cannot run in the kernel, so this walks the cgroup2 tree and re-walks it
/// every second: a container started after the monitor is watched within about that long (its
/// first connections before then are not), and a stopped one leaves the set. The set holds 4,096.
enum ContainerFilterFeeder {
    static let interval = 1.0

    static func make(map: BPFMap, selector: ContainerSelector, resolver: ContainerResolver, root: String,
                     logger: Logger = Logger(label: "kmon.tcpreq")) -> BPFSetFeeder<UInt64> {
        BPFSetFeeder(
            map: map, threadName: "kmon-container-filter",
            wanted: {
                Set(CgroupScan.containerCgroups(root: root).filter { entry in
                    resolver.info(ofCgroupPath: entry.path).map(selector.matches) ?? false
                }.map(\.cgroupID))
            },
            // A stopped container's cached names go with it.
            removed: { resolver.forget(cgroupID: $0) },
            // Never silent: a chosen container the set has no room for is not watched.
            refusedGrew: { logger.warning("container filter full: \($0) chosen cgroups are not watched (the set holds 4,096)") })
    }
}
