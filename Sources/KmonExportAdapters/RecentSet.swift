/// A set that forgets members not seen lately, so that it stays bounded on a long run without
/// being emptied all at once: members live in two generations of at most `generationSize`;
/// inserting into a full current generation retires the previous one, and finding a member of
/// the previous generation renews it. So it holds at most 2 × `generationSize` members, and a
/// member asked about at least once a generation is never forgotten.
struct RecentSet<Element: Hashable> {
    let generationSize: Int
    private var current: Set<Element> = []
    private var previous: Set<Element> = []

    init(generationSize: Int) {
        precondition(generationSize > 0)
        self.generationSize = generationSize
    }

    var count: Int { current.count + previous.count }

    mutating func insert(_ member: Element) {
        guard !current.contains(member) else { return }
        if current.count >= generationSize {
            swap(&current, &previous)
            current.removeAll(keepingCapacity: true)
        }
        current.insert(member)
    }

    /// Whether `member` is in either generation; one in the previous one is renewed.
    mutating func contains(_ member: Element) -> Bool {
        if current.contains(member) { return true }
        guard previous.contains(member) else { return false }
        insert(member)
        return true
    }
}
