import KmonSystem

extension SocketEndpoint {
    /// Test shorthand for a literal endpoint: `.at("127.0.0.1", 8080)`.
    public static func at(_ address: String, _ port: UInt16) -> SocketEndpoint {
        guard let parsed = IPAddress(address) else { preconditionFailure("not an IP address: \(address)") }
        return SocketEndpoint(address: parsed, port: port)
    }
}
