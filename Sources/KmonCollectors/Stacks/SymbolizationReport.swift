/// User frames left unnamed because their file was refused as ELF (crafted, truncated, over the
/// limits of `ELFSymbols`), and which files, with why: `symbols` in the offcpu and tcpdrop reports.
public struct SymbolizationReport: Codable, Equatable, Sendable {
    public struct RefusedFile: Codable, Equatable, Hashable, Sendable {
        /// The path as the process sees it.
        public var path: String
        public var reason: String
    }

    /// Refused files listed, at most; the frames of every refused file are counted.
    public static let maxFilesListed = 16

    public var skippedFrames: UInt64 = 0
    public var refusedFiles: [RefusedFile] = []

    public init() {}

    mutating func skip(_ file: RefusedFile) {
        skippedFrames += 1
        if refusedFiles.count < Self.maxFilesListed, !refusedFiles.contains(file) { refusedFiles.append(file) }
    }

    enum CodingKeys: String, CodingKey {
        case skippedFrames = "skipped_frames"
        case refusedFiles = "refused_files"
    }
}
