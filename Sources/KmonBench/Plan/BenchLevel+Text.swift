/// A level as results.json keeps it: its display text (`saturation`, `load 50%`, `trigger`),
/// which reads back typed, so records hold the level itself and text is made only to render.
/// `RawRepresentable` gives it the standard string coding; text that names no level is refused.
extension BenchLevel: RawRepresentable, Codable {
    public var rawValue: String { description }

    public init?(rawValue text: String) {
        switch text {
        case "saturation": self = .saturation
        case "trigger": self = .trigger
        default:
            if let percent = Self.number(in: text, after: "load ", before: "%") {
                self = .load(percent: percent)
            } else if let rate = Self.number(in: text, after: "knee search at ", before: " req/s") {
                self = .knee(rate: rate)
            } else {
                return nil
            }
        }
    }

    private static func number(in text: String, after head: String, before tail: String) -> Double? {
        guard text.count > head.count + tail.count, text.starts(with: head), text.hasSuffix(tail),
              let value = Double(text.dropFirst(head.count).dropLast(tail.count)), value.isFinite else { return nil }
        return value
    }
}
