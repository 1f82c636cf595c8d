/// Size limits that keep a bad or hostile peer from exhausting a service.
public struct HTTPLimits: Sendable, Equatable {
    /// Request or status line plus headers, including the blank line. Beyond it: 431.
    public var maxHeadBytes: Int
    /// Header fields in one message. Beyond it: 431.
    public var maxHeaderCount: Int
    /// Content-Length of one body. Beyond it: 413.
    public var maxBodyBytes: Int

    public init(maxHeadBytes: Int = 8192, maxHeaderCount: Int = 64, maxBodyBytes: Int = 1 << 20) {
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
    }
}
