import KmonSupport
import KmonHTTP
import KmonSystem
import Yams

/// The spec's failure and method mixes: `errors: {500: 2%}`, `methods: {GET: 80%, POST: 20%}`
/// and `body_bytes: 256`. Shares are percentages with up to two decimals.
extension SpecDecoder {
    /// `body_bytes`: up to 1 MiB per POST.
    static let bodyBytesRange = AcceptedRange(0...Double(1 << 20), unit: "bytes")

    func errorMix(_ node: Node, service: String) throws -> ErrorMix {
        let pairs = try orderedMapping(node, service: service, field: "errors", shape: "a mapping of status to share, e.g. {500: 2%, 404: 1%}")
        var mix = ErrorMix()
        var total: UInt32 = 0
        for (keyNode, value) in pairs {
            let field = "errors.\(keyNode.string ?? "?")"
            guard let text = keyNode.string, let status = UInt16(text), ErrorMix.statuses.contains(status),
                  !ErrorMix.forbidden.contains(status)
            else {
                throw error(keyNode, service: service, field: field,
                            problem: "must be an HTTP status from 300 to 599 but 304 (a 1xx is not a final answer, a 2xx is no error, a 304 has no body)")
            }
            guard !mix.shares.contains(where: { $0.status == status }) else {
                throw error(keyNode, service: service, field: field, problem: "duplicate status")
            }
            let share = try percent(value, service: service, field: field)
            total += share
            mix.shares.append(ErrorMix.Share(status: status, basisPoints: share))
        }
        guard total <= RequestMix.whole else {
            throw error(node, service: service, field: "errors", problem: "the shares add up to \(Self.percentText(total)), more than 100%")
        }
        return mix
    }

    /// `methods` and `body_bytes` of one caller: the top level (the load generator) or a service.
    func requestMix(methods: Node?, bodyBytes: Node?, service: String?) throws -> RequestMix {
        var mix = RequestMix.getOnly
        if let methods {
            let pairs = try orderedMapping(methods, service: service, field: "methods",
                                           shape: "a mapping of method to share, e.g. {GET: 80%, POST: 20%}")
            var shares: [RequestMix.Share] = []
            var total: UInt32 = 0
            for (keyNode, value) in pairs {
                let field = "methods.\(keyNode.string ?? "?")"
                guard let name = keyNode.string, let method = HTTPMethod(name: name), RequestMix.servedMethods.contains(method) else {
                    throw error(keyNode, service: service, field: field, problem: "must be GET or POST (the methods the services serve)")
                }
                guard !shares.contains(where: { $0.method == method }) else {
                    throw error(keyNode, service: service, field: field, problem: "duplicate method")
                }
                let share = try percent(value, service: service, field: field)
                total += share
                if share > 0 { shares.append(RequestMix.Share(method, basisPoints: share)) }
            }
            guard total == RequestMix.whole else {
                throw error(methods, service: service, field: "methods", problem: "the shares add up to \(Self.percentText(total)); they must add up to 100%")
            }
            mix.shares = shares
        }
        if let bodyBytes {
            guard case .scalar(let scalar) = bodyBytes, let value = Int(scalar.string), Self.bodyBytesRange.bounds.contains(Double(value)) else {
                throw error(bodyBytes, service: service, field: "body_bytes", problem: "must be \(Self.bodyBytesRange)")
            }
            mix.bodyBytes = value
        }
        return mix
    }

    /// A share: "2%", "0.25%" or "100%", as whole basis points.
    func percent(_ node: Node, service: String?, field: String) throws -> UInt32 {
        let problem = "must be a percentage from 0% to 100% with at most two decimals, e.g. 2% or 0.5%"
        guard case .scalar(let scalar) = node, scalar.string.hasSuffix("%") else { throw error(node, service: service, field: field, problem: problem) }
        let number = scalar.string.dropLast()
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = UInt32(parts[0]), parts[0].allSatisfy(\.isASCII),
              parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw error(node, service: service, field: field, problem: problem) }
        let fraction = parts.count == 2 ? UInt32(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0
        guard whole <= 100 else { throw error(node, service: service, field: field, problem: problem) }
        let points = whole * 100 + fraction
        guard points <= RequestMix.whole else { throw error(node, service: service, field: field, problem: problem) }
        return points
    }

    static func percentText(_ basisPoints: UInt32) -> String {
        basisPoints % 100 == 0 ? "\(basisPoints / 100)%" : "\(basisPoints / 100).\(String(format2: basisPoints % 100))%"
    }

    /// A mapping's pairs in file order (the draw order of its shares), non-empty.
    private func orderedMapping(_ node: Node, service: String?, field: String, shape: String) throws -> [(Node, Node)] {
        guard case .mapping(let mapping) = node, mapping.count > 0 else {
            throw error(node, service: service, field: field, problem: "must be \(shape)")
        }
        return mapping.map { ($0.key, $0.value) }
    }
}

private extension String {
    init(format2 value: UInt32) { self = value < 10 ? "0\(value)" : "\(value)" }
}
