/// How long the kernel-mode consumer sleeps between drains. Records never wake it
/// (`BPF_RB_NO_WAKEUP`), so each round is a timer wakeup at any load, and at a few hundred
/// requests per second those wakeups were most of the agent's CPU. Spans already wait up to
/// the batch flush period in a batch, so a quiet ring is drained once per that period (with
/// the flush, see `TcpreqSession.startConsumer`); a ring filling fast is drained every
/// `busyMilliseconds`, so it never holds more than a quarter of its bytes between two drains.
struct PollPacing {
    let busyMilliseconds: Int32
    let quietMilliseconds: Int32
    let ringBytes: Int
    private(set) var lastWait: Int32

    init(busyMilliseconds: Int32, quietMilliseconds: Int32, ringBytes: Int) {
        self.busyMilliseconds = max(busyMilliseconds, 1)
        self.quietMilliseconds = max(quietMilliseconds, self.busyMilliseconds)
        self.ringBytes = ringBytes
        lastWait = self.busyMilliseconds
    }

    /// The next wait, after a round that drained `bytes` (records since the previous drain).
    mutating func next(drained bytes: Int) -> Int32 {
        // The bytes a quiet wait would gather at the rate of the last one.
        let atQuietWait = bytes / Int(lastWait) * Int(quietMilliseconds)
        lastWait = atQuietWait > ringBytes / 4 ? busyMilliseconds : quietMilliseconds
        return lastWait
    }
}
