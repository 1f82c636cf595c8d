import Foundation
import Glibc
import KmonSystem
import Testing

/// Root runs only what it was built with, whatever the environment names: KMON_SERVICE used to
/// name the service binary kmon ran as root.
@Suite(.serialized, Privileged.enabled)
struct RootEnvironmentTests {
    @Test func kmonServiceFromTheEnvironmentIsNeverRun() throws {
        try Privileged.check()
        let planted = try PlantedLinks()
        let marker = planted.root + "/ran-as-root"
        let impostor = planted.userDirectory + "/kmon-service"
        try "#!/bin/sh\ntouch \(marker)\nexec sleep 30\n".write(toFile: impostor, atomically: false, encoding: .utf8)
        chmod(impostor, 0o755)
        chown(impostor, PlantedLinks.nobody, PlantedLinks.nobody)
        let up = try UpProcess(spec: "single", netns: false, environment: ["KMON_SERVICE": impostor])
        let summary = try up.waitForSummary()
        kill(up.process.processIdentifier, SIGINT)
        #expect(!FileManager.default.fileExists(atPath: marker), "root ran $KMON_SERVICE")
        let service = try #require(summary.services.first)
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(service.pid)/exe")
        #expect(executable == BuildProducts.executable("kmon-service").path)
        up.process.waitUntilExit()
    }
}
