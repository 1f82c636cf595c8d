import Foundation

/// Reads the owner of a cgroup v2 path (`/proc/PID/cgroup`'s `0::` line) the way the runtimes
/// lay their cgroups out, under both the systemd and the cgroupfs drivers:
///
/// - Podman: `/machine.slice/libpod-<id>.scope[/container]`, `/libpod_parent/libpod-<id>`;
/// - Docker: `/system.slice/docker-<id>.scope`, `/docker/<id>`;
/// - containerd (CRI): `…/kubepods-<qos>-pod<uid>.slice/cri-containerd-<id>.scope`;
/// - CRI-O: `…/kubepods-<qos>-pod<uid>.slice/crio-<id>.scope`;
/// - cgroupfs kubepods: `/kubepods/<qos>/pod<uid>/<id>` (runtime `cri`);
/// - a systemd unit: `/system.slice/<name>.service`.
///
/// The deepest component that names a container wins (a container's own sub-cgroups, such as
/// Podman's `container`, keep its owner). Runtime monitors (`libpod-conmon-`, `crio-conmon-`)
/// are not containers. The path is untrusted text: nothing here can fail or grow past it.
public enum CgroupPathParser {
    /// Container ids are hex; runtimes use 64 digits, and 12 is the shortest any prints.
    static func isContainerID(_ text: Substring) -> Bool {
        (12...64).contains(text.utf8.count) && isHex(text)
    }

    static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Prefix and suffix pairs that wrap a container id in one path component.
    static let wrapped: [(prefix: String, suffix: String, runtime: ContainerRuntime)] = [
        ("libpod-", ".scope", .podman), ("libpod-", "", .podman),
        ("docker-", ".scope", .docker),
        ("cri-containerd-", ".scope", .containerd),
        ("crio-", ".scope", .crio),
    ]

    public static func owner(ofPath path: String) -> CgroupOwner? {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        let podUID = components.lazy.compactMap(podUID(in:)).last
        for (index, component) in components.enumerated().reversed() {
            for form in wrapped where component.hasPrefix(form.prefix) && component.hasSuffix(form.suffix) {
                let id = component.dropFirst(form.prefix.count).dropLast(form.suffix.count)
                if isContainerID(id) { return CgroupOwner(runtime: form.runtime, id: String(id), podUID: podUID) }
            }
            // Bare ids: `/docker/<id>`, `/kubepods/<qos>/pod<uid>/<id>`.
            if isContainerID(component), index > 0 {
                let parent = components[index - 1]
                if parent == "docker" { return CgroupOwner(runtime: .docker, id: String(component)) }
                if let podUID, Self.podUID(in: parent) == podUID {
                    return CgroupOwner(runtime: .cri, id: String(component), podUID: podUID)
                }
            }
        }
        if let unit = components.last(where: { $0.hasSuffix(".service") }) {
            return CgroupOwner(runtime: .systemd, id: String(unit), podUID: podUID)
        }
        return nil
    }

    /// The pod UID in `kubepods-burstable-pod<uid>.slice` (dashes written as underscores by
    /// the systemd driver) or `pod<uid>` (cgroupfs driver).
    static func podUID(in component: Substring) -> String? {
        var text = component
        if text.hasPrefix("kubepods"), text.hasSuffix(".slice"), let at = text.range(of: "-pod") {
            text = text[at.upperBound...].dropLast(".slice".count)
        } else if text.hasPrefix("pod") {
            text = text.dropFirst(3)
        } else {
            return nil
        }
        let uid = text.replacingOccurrences(of: "_", with: "-")
        // A UUID: 8-4-4-4-12 lowercase hex digits.
        let groups = uid.split(separator: "-", omittingEmptySubsequences: false)
        let valid = groups.map(\.utf8.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { isHex($0) }
        return valid ? uid : nil
    }
}
