import Foundation
import Testing

/// The layout rules of docs/architecture.md, checked against the sources: every module imports
/// only what Package.swift lets it, and the few hard rules hold.
@Suite struct ArchitectureTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// Modules of the packages we depend on, as they are imported.
    static let externalModules: Set<String> = ["ArgumentParser", "Histogram", "Logging", "Prometheus", "Yams"]

    /// Each Sources/ target's declared dependencies, read from Package.swift's text: the quoted
    /// names in the `dependencies: [...]` after `name: "X"` (products by their name).
    static func declaredDependencies() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try Regex(#"\.(?:target|executableTarget|systemLibrary)\(\s*name: "([^"]+)"(?:,\s*dependencies: \[([^\]]*(?:\([^)]*\)[^\]]*)*)\])?"#)
        let quoted = try Regex(#""([^"]+)""#)
        var result: [String: Set<String>] = [:]
        for match in text.matches(of: target) {
            let name = String(match.output[1].substring!)
            let list = match.output[2].substring.map(String.init) ?? ""
            // `.product(name: "Logging", package: "swift-log")`: keep the product, not the package.
            let withoutPackages = list.replacing(try Regex(#"package: "[^"]+""#), with: "")
            result[name] = Set(withoutPackages.matches(of: quoted).map { String($0.output[1].substring!) })
        }
        return result
    }

    static func swiftFiles(under directory: String) -> [URL] {
        let base = root.appendingPathComponent(directory)
        let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    static func imports(of file: URL) throws -> Set<String> {
        let text = try String(contentsOf: file, encoding: .utf8)
        let line = try Regex(#"(?m)^(?:@testable |@preconcurrency )?import (\w+)"#)
        return Set(text.matches(of: line).map { String($0.output[1].substring!) })
    }

    @Test func everyModuleImportsOnlyWhatPackageSwiftDeclares() throws {
        let declared = try Self.declaredDependencies()
        let local = Set(declared.keys)
        #expect(local.isSuperset(of: ["BPF", "KmonSystem", "KmonTcpreq", "KmonCollectors", "KmonExport", "KmonBench", "kmon"]))
        for (target, dependencies) in declared {
            for file in Self.swiftFiles(under: "Sources/\(target)") {
                let undeclared = try Self.imports(of: file).intersection(local.union(Self.externalModules))
                    .subtracting(dependencies).subtracting([target])
                #expect(undeclared.isEmpty, "\(file.lastPathComponent) in \(target) imports \(undeclared.sorted()) without declaring it")
            }
        }
    }

    @Test func hardRulesHold() throws {
        for file in Self.swiftFiles(under: "Sources") {
            let path = file.path.replacingOccurrences(of: Self.root.path + "/", with: "")
            let imports = try Self.imports(of: file)
            #expect(!imports.contains("CLibbpf") || path.hasPrefix("Sources/BPF/"), "\(path): only BPF imports CLibbpf")
            #expect(!(path.hasPrefix("Sources/KmonLoad/") && imports.contains("KmonWorkload")), "\(path): the load generator must not link the services")
            #expect(!(path.hasPrefix("Sources/KmonSystem/") && imports.contains { $0.hasPrefix("Kmon") }), "\(path): KmonSystem is the bottom")
            #expect(!(path.hasPrefix("Sources/KmonExport/") && !imports.isDisjoint(with: ["BPF", "KmonTcpreq", "KmonCollectors"])),
                    "\(path): the sinks know only their model; adapters go in KmonExportAdapters")
            let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 400, "\(path) has \(lines) lines")
        }
    }

    /// Issue 28's shape rules: results and rows go through synthesized `Codable` and the shared
    /// coders (`CodableAsText`, `FlatEncodable`, `ExplicitNull`); choices are typed, never
    /// force-unwrapped from text; reasons are typed, never matched by prefix.
    @Test func codingAndChoicesStayTyped() throws {
        var encoders: [String] = []
        for file in Self.swiftFiles(under: "Sources") {
            let path = file.path.replacingOccurrences(of: Self.root.path + "/", with: "")
            let text = try String(contentsOf: file, encoding: .utf8)
            encoders += Array(repeating: path, count: text.matches(of: #/func encode\(to /#).count)
            #expect(text.matches(of: #/rawValue: ?[^)\n]*\)!/#).isEmpty, "\(path): a choice force-unwrapped from its raw value")
            #expect(text.matches(of: #/reason\w*\.hasPrefix/#).isEmpty, "\(path): a reason matched by its text")
        }
        #expect(encoders.count <= 5, "hand-written encoders: \(encoders)")
    }

    @Test func architecturePageListsEveryTarget() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        for target in try Self.declaredDependencies().keys {
            #expect(page.contains("`\(target)`"), "docs/architecture.md does not describe \(target)")
        }
    }
}
