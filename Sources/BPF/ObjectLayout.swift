import CLibbpf

/// What user space relies on in a BPF object: its programs, its maps' shapes, and the layout of
/// the structs it shares with user space (from the object's BTF). Two builds of one object can
/// stand in for each other only when these agree; `differences(from:)` says where they do not.
public struct ObjectLayout: Equatable, Sendable {
    public struct MapShape: Equatable, Sendable, CustomStringConvertible {
        public var type: UInt32
        public var keySize: Int
        public var valueSize: Int
        public var description: String { "type \(type), key \(keySize) B, value \(valueSize) B" }
    }

    public struct StructShape: Equatable, Sendable, CustomStringConvertible {
        public var size: Int
        /// Member name → bit offset, in declaration order.
        public var members: [Member]
        public struct Member: Equatable, Sendable {
            public var name: String
            public var bitOffset: Int
        }
        public var description: String {
            "\(size) B {" + members.map { "\($0.name)@\($0.bitOffset / 8)" }.joined(separator: ", ") + "}"
        }
    }

    /// Program name → ELF section.
    public var programs: [String: String]
    /// Map name → shape (sections like `.rodata` left out: their size follows the settings).
    public var maps: [String: MapShape]
    /// Struct name → layout, for structs whose names start with one of the prefixes.
    public var structs: [String: StructShape]

    /// Reads an opened (not necessarily loaded) object.
    public init(_ object: BPFObject, structPrefixes: [String]) {
        // A crafted object can name two programs or maps alike: keep the first, the one libbpf's
        // lookups by name (bpf_object__find_program_by_name, _map_by_name) return.
        programs = Dictionary(object.programs.map { ($0.name, $0.section) }, uniquingKeysWith: { first, _ in first })
        var maps: [String: MapShape] = [:]
        for map in object.maps where !map.name.contains(".") && maps[map.name] == nil {
            maps[map.name] = MapShape(type: bpf_map__type(map.handle).rawValue, keySize: map.keySize, valueSize: map.valueSize)
        }
        self.maps = maps
        var structs: [String: StructShape] = [:]
        if let btf = bpf_object__btf(object.handle) {
            for id in 1..<max(btf__type_cnt(btf), 1) {
                guard let type = btf__type_by_id(btf, id), btf_is_struct(type),
                      let rawName = btf__name_by_offset(btf, type.pointee.name_off) else { continue }
                let name = String(cString: rawName)
                guard structPrefixes.contains(where: name.hasPrefix) else { continue }
                let vlen = Int(btf_vlen(type))
                let first = btf_members(type)
                let members = (0..<vlen).map { index in
                    let member = first![index]
                    return StructShape.Member(name: btf__name_by_offset(btf, member.name_off).map { String(cString: $0) } ?? "",
                                              bitOffset: Int(btf_member_bit_offset(type, UInt32(index))))
                }
                structs[name] = StructShape(size: Int(type.pointee.size), members: members)
            }
        }
        self.structs = structs
    }

    /// Each way `base` cannot stand in for this layout, one line each; empty when it can.
    /// Programs and maps named in `mayLack` may be missing from `base` (user space goes without
    /// them in an older build); present, they must agree.
    public func differences(from base: ObjectLayout, mayLack: Set<String> = []) -> [String] {
        var lines: [String] = []
        for (name, section) in programs.sorted(by: { $0.key < $1.key }) {
            if let other = base.programs[name] {
                if other != section { lines.append("program \(name) is in section \(other), here \(section)") }
            } else if !mayLack.contains(name) {
                lines.append("program \(name) is missing")
            }
        }
        for (name, shape) in maps.sorted(by: { $0.key < $1.key }) {
            if let other = base.maps[name] {
                if other != shape { lines.append("map \(name) is \(other), here \(shape)") }
            } else if !mayLack.contains(name) {
                lines.append("map \(name) is missing")
            }
        }
        for (name, shape) in structs.sorted(by: { $0.key < $1.key }) {
            if let other = base.structs[name] {
                if other != shape { lines.append("struct \(name) is \(other), here \(shape)") }
            } else {
                lines.append("struct \(name) is missing from its BTF")
            }
        }
        return lines
    }
}
