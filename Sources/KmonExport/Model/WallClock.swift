import Glibc

/// CLOCK_REALTIME, for timestamps that leave the machine (InfluxDB points, JSON lines).
public enum WallClock {
    public static func nowNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Converts a CLOCK_MONOTONIC reading (a span start) into wall-clock time, using the offset now.
    public static func fromMonotonic(_ monotonic: UInt64, monotonicNow: UInt64, wallNow: UInt64) -> UInt64 {
        monotonic <= monotonicNow ? wallNow &- (monotonicNow - monotonic) : wallNow &+ (monotonic - monotonicNow)
    }
}
