/// Checks a JSON document against a JSON Schema, for the subset docs/results.schema.json uses:
/// `type`, `required`, `properties`, `additionalProperties`, `items`, `enum`, `const`,
/// `minimum`, `minItems`, `maxItems` and local `$ref`s to `#/$defs/…`. Returns one sentence
/// per violation, naming the JSON pointer; empty means valid.
public struct SchemaValidator {
    public let schema: JSONValue

    public init(schema: JSONValue) { self.schema = schema }

    public func validate(_ document: JSONValue) -> [String] {
        var problems: [String] = []
        check(document, against: schema, at: "", into: &problems)
        return problems
    }

    private func check(_ value: JSONValue, against rule: JSONValue, at path: String, into problems: inout [String]) {
        if case .string(let reference)? = rule["$ref"] {
            guard let target = resolve(reference) else {
                problems.append("\(pointer(path)): schema reference \(reference) does not resolve")
                return
            }
            check(value, against: target, at: path, into: &problems)
        }
        if let types = rule["type"], !matches(value, types) {
            problems.append("\(pointer(path)): expected \(describe(types)), found \(kind(value))")
            return
        }
        if let constant = rule["const"], constant != value {
            problems.append("\(pointer(path)): expected the constant \(render(constant)), found \(render(value))")
        }
        if case .array(let allowed)? = rule["enum"], !allowed.contains(value) {
            problems.append("\(pointer(path)): \(render(value)) is not one of \(allowed.map(render).joined(separator: ", "))")
        }
        switch value {
        case .number(let number):
            if case .number(let minimum)? = rule["minimum"], number < minimum {
                problems.append("\(pointer(path)): \(number) is below the minimum \(minimum)")
            }
        case .array(let items):
            if case .number(let least)? = rule["minItems"], Double(items.count) < least {
                problems.append("\(pointer(path)): \(items.count) items, at least \(Int(least)) required")
            }
            if case .number(let most)? = rule["maxItems"], Double(items.count) > most {
                problems.append("\(pointer(path)): \(items.count) items, at most \(Int(most)) allowed")
            }
            if let itemRule = rule["items"] {
                for (index, item) in items.enumerated() { check(item, against: itemRule, at: "\(path)/\(index)", into: &problems) }
            }
        case .object(let members):
            if case .array(let required)? = rule["required"] {
                for case .string(let key) in required where members[key] == nil {
                    problems.append("\(pointer(path)): missing required key \"\(key)\"")
                }
            }
            let properties: [String: JSONValue]
            if case .object(let declared)? = rule["properties"] { properties = declared } else { properties = [:] }
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                let memberPath = "\(path)/\(key)"
                if let propertyRule = properties[key] {
                    check(member, against: propertyRule, at: memberPath, into: &problems)
                } else if case .bool(false)? = rule["additionalProperties"] {
                    problems.append("\(pointer(path)): unexpected key \"\(key)\"")
                } else if let extra = rule["additionalProperties"], case .object = extra {
                    check(member, against: extra, at: memberPath, into: &problems)
                }
            }
        default:
            break
        }
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = schema
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    private func matches(_ value: JSONValue, _ types: JSONValue) -> Bool {
        switch types {
        case .string(let name): return matches(value, name)
        case .array(let names): return names.contains { if case .string(let name) = $0 { matches(value, name) } else { false } }
        default: return true
        }
    }

    private func matches(_ value: JSONValue, _ name: String) -> Bool {
        switch (name, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object):
            return true
        case ("integer", .number(let number)):
            return number == number.rounded()
        default:
            return false
        }
    }

    private func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    private func describe(_ types: JSONValue) -> String {
        switch types {
        case .string(let name): return name
        case .array(let names): return names.map(render).joined(separator: " or ").replacingOccurrences(of: "\"", with: "")
        default: return render(types)
        }
    }

    private func render(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): String(flag)
        case .number(let number): number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .string(let text): "\"\(text)\""
        case .array: "[…]"
        case .object: "{…}"
        }
    }

    private func pointer(_ path: String) -> String { path.isEmpty ? "/" : path }
}
