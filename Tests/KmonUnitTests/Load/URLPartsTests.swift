import KmonHTTP
import Testing

@Suite struct URLPartsTests {
    @Test func splitsEveryPartAsWritten() throws {
        let url = try #require(URLParts("HTTP://user@db.local:8086/influx/write?db=x#top"))
        #expect(url.scheme == "HTTP" && url.authority == "user@db.local:8086" && url.userInfo == "user")
        #expect(url.host == "db.local" && url.port == "8086" && !url.isIPv6Literal)
        #expect(url.target == "/influx/write?db=x#top" && url.path == "/influx/write" && url.query == "db=x")
    }

    @Test func keepsIPv6LiteralsWhole() throws {
        let url = try #require(URLParts("https://[::1]:8443/db"))
        #expect(url.host == "::1" && url.isIPv6Literal && url.port == "8443" && url.path == "/db")
        #expect(URLParts("http://[::1]")?.port == nil)
    }

    @Test func leavesMissingPartsEmpty() throws {
        let bare = try #require(URLParts("http://198.18.0.2"))
        #expect(bare.host == "198.18.0.2" && bare.port == nil && bare.target.isEmpty && bare.query == nil && bare.userInfo == nil)
        #expect(URLParts("http://")?.host == "")
        #expect(URLParts("http://h?x")?.target == "?x")
        #expect(URLParts("127.0.0.1:8086") == nil && URLParts("://x") == nil)
    }
}
