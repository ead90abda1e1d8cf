import Foundation

/// The stock files under Tests/Fixtures (read only: their bytes are data), and the golden
/// results of the op tests.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = testsDirectory.appendingPathComponent("Fixtures")
    static let golden = testsDirectory.appendingPathComponent("StdlibTests/Golden")

    static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    static func bytes(_ fixture: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(fixture)))
    }

    static func text(_ fixture: String) throws -> String { String(decoding: try bytes(fixture), as: UTF8.self) }
}
