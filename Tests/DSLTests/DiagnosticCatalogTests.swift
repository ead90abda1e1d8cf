import DSL
import Foundation
import XCTest

/// The diagnostic ids are one declared list (`DiagnosticCatalog`): docs/language.md shows it
/// as it is, and the sources report no id that is not in it.
final class DiagnosticCatalogTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testTheLanguageDocShowsTheTableAsDeclared() throws {
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/language.md"), encoding: .utf8)
        XCTAssertTrue(doc.contains(DiagnosticCatalog.markdownTable),
                      "docs/language.md's diagnostic table is stale: replace it with the output of `crucible-sh lint --list-ids`")
    }

    func testIdsAreUniqueAndNamedByTheirSeverity() {
        let ids = DiagnosticCatalog.all.map(\.id)
        XCTAssertEqual(ids.count, Set(ids).count, "an id is declared twice")
        for id in ids { XCTAssertTrue(id.hasPrefix("E-") || id.hasPrefix("W-"), id) }
        XCTAssertEqual(DiagnosticCatalog.entry("W-unused")?.severity, .warning)
        XCTAssertEqual(DiagnosticCatalog.entry("E-syntax")?.severity, .error)
    }

    /// Every `"E-..."` / `"W-..."` literal under Sources/ is declared, and every declared id
    /// is reported somewhere.
    func testEveryIdTheSourcesReportIsDeclaredAndNoneIsStale() throws {
        let sources = Self.root.appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #""([EW]-[a-z][a-z0-9-]*)""#)
        var used: [String: String] = [:]
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift", url.lastPathComponent != "DiagnosticCatalog.swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { used[String(text[range])] = url.lastPathComponent }
            }
        }
        let declared = Set(DiagnosticCatalog.all.map(\.id))
        for (id, file) in used.sorted(by: { $0.key < $1.key }) where !declared.contains(id) {
            XCTFail("\(file) reports `\(id)`, which DiagnosticCatalog does not declare")
        }
        for id in declared.sorted() where used[id] == nil {
            XCTFail("`\(id)` is declared but nothing reports it")
        }
    }
}
