import CCurl
import Foundation
import KmonSupport

/// HTTP to one sink through libcurl's easy API. The handle is kept for the client's life, so
/// curl keeps the connection (and its TLS session) alive between batches and reconnects by itself
/// after the sink restarts. https checks the server against the system's CA certificates, or
/// only against `caFile` when given. Proxies come from the usual environment variables
/// (`https_proxy`, `http_proxy`, `no_proxy`), as curl reads them.
///
/// Not thread-safe: each sender thread owns its client.
public final class SinkHTTPClient {
    public let sink: String
    public let endpoint: HTTPEndpoint
    private let auth: SinkAuth
    private let caFile: String?
    private let timeout: Double
    private let handle: UnsafeMutableRawPointer
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private let received = ResponseBuffer()

    /// curl_global_init is not thread-safe, so it runs once, before any handle exists.
    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// `sink` names the sink in every error ("influx", "clickhouse"). `timeout` bounds each
    /// request as a whole, connecting included.
    public init(sink: String, endpoint: HTTPEndpoint, auth: SinkAuth = .none, caFile: String? = nil, timeout: Double = 5) throws {
        guard Self.globalInit, let handle = curl_easy_init() else {
            throw ExportError("\(sink): libcurl could not be initialised")
        }
        self.sink = sink
        self.endpoint = endpoint
        self.auth = auth
        self.caFile = caFile
        self.timeout = timeout
        self.handle = handle
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        configure()
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    private func configure() {
        kmon_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) // timeouts without SIGALRM: other threads run
        kmon_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        kmon_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(saturating: timeout * 1000)))
        kmon_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(saturating: timeout * 1000)))
        kmon_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        kmon_curl_setopt_string(handle, CURLOPT_USERAGENT, "kmon")
        kmon_curl_setopt_write_function(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let buffer = Unmanaged<ResponseBuffer>.fromOpaque(context).takeUnretainedValue()
            buffer.append(UnsafeRawBufferPointer(start: data, count: size * count))
            return size * count
        }
        kmon_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(received).toOpaque())
        if let caFile { kmon_curl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
        if case let .basic(user, password) = auth {
            kmon_curl_setopt_long(handle, CURLOPT_HTTPAUTH, kmon_curl_auth_basic())
            kmon_curl_setopt_string(handle, CURLOPT_USERNAME, user)
            kmon_curl_setopt_string(handle, CURLOPT_PASSWORD, password)
        }
    }

    /// What the errors call a request: method and URL, with no secret in it (credentials never
    /// travel in the URL).
    public func describe(_ method: String, _ path: String) -> String { "\(sink): \(method) \(endpoint)\(path)" }

    /// One request; `path` starts with "/" and may carry a query string (already percent-encoded).
    /// Any HTTP status is returned; a failure to get one (refused, timed out, TLS) throws,
    /// naming the sink, the URL and curl's message.
    public func send(_ method: String, path: String, contentType: String? = nil, body: [UInt8] = []) throws -> SinkResponse {
        received.reset()
        errorBuffer[0] = 0
        kmon_curl_setopt_string(handle, CURLOPT_URL, "\(endpoint)\(path)")
        var headers: UnsafeMutablePointer<curl_slist>? = nil
        // Without this curl waits for "100 Continue" before sending large bodies.
        headers = curl_slist_append(headers, "Expect:")
        if let contentType { headers = curl_slist_append(headers, "Content-Type: \(contentType)") }
        switch auth {
        case .bearer(let token): headers = curl_slist_append(headers, "Authorization: Bearer \(token)")
        case .influxToken(let token): headers = curl_slist_append(headers, "Authorization: Token \(token)")
        case .none, .basic: break
        }
        defer { curl_slist_free_all(headers) }
        kmon_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
        let code: CURLcode = body.withUnsafeBytes { bytes in
            switch method {
            case "GET":
                kmon_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, nil)
                kmon_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
            default:
                kmon_curl_setopt_long(handle, CURLOPT_POST, 1)
                kmon_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method == "POST" ? nil : method)
                // An empty body still needs a valid pointer, or curl reads the body from stdin.
                kmon_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(errorBuffer)))
                kmon_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            }
            return curl_easy_perform(handle)
        }
        // The body pointer is only valid during perform.
        kmon_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw ExportError("\(describe(method, path)): \(message)")
        }
        var status = 0
        kmon_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return SinkResponse(status: status, body: received.bytes)
    }

    /// A sentence for a response the sink refused: who, what, the status and the start of its reason.
    public func failure(_ method: String, _ path: String, _ response: SinkResponse) -> String {
        let reason = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines).prefix(300)
        let hint = response.status == 401 ? " (wrong user, password or token?)" : ""
        return "\(describe(method, path)): HTTP \(response.status)\(hint)\(reason.isEmpty ? "" : ": \(reason)")"
    }

    /// One request on a client of its own, for readiness checks and tests.
    public static func send(_ method: String, to endpoint: HTTPEndpoint, path: String, contentType: String? = nil,
                            body: [UInt8] = [], auth: SinkAuth = .none, caFile: String? = nil, timeout: Double = 5) throws -> SinkResponse {
        let client = try SinkHTTPClient(sink: "http", endpoint: endpoint, auth: auth, caFile: caFile, timeout: timeout)
        return try client.send(method, path: path, contentType: contentType, body: body)
    }
}

/// The response body as curl hands it over, capped so a misbehaving server cannot fill memory.
private final class ResponseBuffer {
    static let limit = 4 << 20
    private(set) var bytes: [UInt8] = []

    func reset() { bytes.removeAll(keepingCapacity: true) }

    func append(_ chunk: UnsafeRawBufferPointer) {
        let room = Self.limit - bytes.count
        if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
    }
}

/// What a sink answered, as libcurl hands it over (libcurl parsed the HTTP): status and body.
public struct SinkResponse: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
