import DSL
import XCTest

/// Byte offsets to 1-based line and column, and line text, as every diagnostic uses them.
final class SourceFileTests: XCTestCase {
    func testLineAndColumnOfOffsets() {
        let file = SourceFile(name: "a.crucible", text: "let a = 1\nlet b = 2\n")
        XCTAssertEqual(file.location(of: 0).line, 1)
        XCTAssertEqual(file.location(of: 0).column, 1)
        XCTAssertEqual(file.location(of: 4).column, 5)
        XCTAssertEqual(file.location(of: 10).line, 2)
        XCTAssertEqual(file.location(of: 10).column, 1)
        XCTAssertEqual(file.location(of: 14).column, 5)
    }
}
