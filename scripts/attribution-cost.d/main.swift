// What attribution adds per span (scripts/attribution-cost): the exporters ask
// `ContainerResolver.info(ofTask:)` once per span; the topology asks once per process and
// endpoint. Laid out as a node with `tasks` containerized processes (Podman state, cgroup
// dirs, /proc/PID/cgroup) in a temp dir, then timed: first sight of each task (reads /proc, stats
// the cgroup, reads the runtime's state), and the cached lookups spans pay afterwards.
import Foundation
import KmonContainers

let tasks = 64, spans = 2_000_000
let root = FileManager.default.temporaryDirectory.appendingPathComponent("kmon-attribution-\(getpid())").path
defer { try? FileManager.default.removeItem(atPath: root) }
func write(_ path: String, _ text: String) {
    let url = URL(fileURLWithPath: root + path)
    try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try! Data(text.utf8).write(to: url)
}
var list: [String] = []
for task in 0..<tasks {
    let id = String(format: "%064x", task + 1)
    list.append(#"{"id":"\#(id)","names":["svc-\#(task)"]}"#)
    write("/var/lib/containers/storage/overlay-containers/\(id)/userdata/config.json",
          #"{"annotations":{"io.container.manager":"libpod","io.podman.compose.service":"svc"}}"#)
    write("/proc/\(1000 + task)/cgroup", "0::/machine.slice/libpod-\(id).scope\n")
    try! FileManager.default.createDirectory(atPath: root + "/cg/machine.slice/libpod-\(id).scope", withIntermediateDirectories: true)
}
write("/var/lib/containers/storage/overlay-containers/containers.json", "[" + list.joined(separator: ",") + "]")

let resolver = ContainerResolver(cgroupRoot: root + "/cg", state: RuntimeState(root: root), procRoot: root + "/proc")
func now() -> UInt64 { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec) }
var named = 0
let coldStart = now()
for task in 0..<tasks where resolver.info(ofTask: Int32(1000 + task))?.name != nil { named += 1 }
let cold = Double(now() - coldStart) / Double(tasks)
let warmStart = now()
for span in 0..<spans where resolver.info(ofTask: Int32(1000 + span % tasks)) != nil { named += 1 }
let warm = Double(now() - warmStart) / Double(spans)
let naming = ServiceNaming.workload
let nameStart = now()
var length = 0
for span in 0..<spans { length &+= naming.name(resolver.info(ofTask: Int32(1000 + span % tasks)), comm: "kmon-service").utf8.count }
let withName = Double(now() - nameStart) / Double(spans)
print("tasks \(tasks), named \(named - spans) of them; spans \(spans) (checksum \(length))")
print(String(format: "first sight of a task (proc + stat + state files): %.1f us", cold / 1000))
print(String(format: "cached lookup per span: %.1f ns", warm))
print(String(format: "cached lookup + service name (--name-by workload) per span: %.1f ns", withName))
