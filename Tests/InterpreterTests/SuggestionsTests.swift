@testable import Interpreter
import XCTest

/// "did you mean ...?": close names are suggested, far ones are not.
final class SuggestionsTests: XCTestCase {
    let ops = ["ensure-line", "edit-ini", "hosts-entry", "service", "len", "log"]

    func testTypoGetsTheClosestName() {
        XCTAssertEqual(Suggestions.closest(to: "ensure-lin", in: ops), "ensure-line")
        XCTAssertEqual(Suggestions.closest(to: "servce", in: ops), "service")
        XCTAssertEqual(Suggestions.closest(to: "edit-in", in: ops), "edit-ini")
    }

    func testUnderscoreAndCaseCountAsTheSameName() {
        XCTAssertEqual(Suggestions.closest(to: "ensure_line", in: ops), "ensure-line")
        XCTAssertEqual(Suggestions.closest(to: "Hosts_Entry", in: ops), "hosts-entry")
        XCTAssertEqual(Suggestions.editDistance("ensure_line", "ensure-line"), 0)
    }

    func testFarNamesGetNoSuggestion() {
        XCTAssertNil(Suggestions.closest(to: "frobnicate", in: ops))
        XCTAssertNil(Suggestions.closest(to: "xyz", in: ops))
        XCTAssertNil(Suggestions.closest(to: "anything", in: [String]()))
    }

    func testShortNamesAllowFewerEdits() {
        XCTAssertEqual(Suggestions.closest(to: "lg", in: ops), "log", "one edit for a two-letter name")
        XCTAssertNil(Suggestions.closest(to: "ab", in: ["xyz"]))
        XCTAssertEqual(Suggestions.closest(to: "lenght", in: ops), "len")
    }

    func testTheNameItselfIsNeverSuggested() {
        XCTAssertNil(Suggestions.closest(to: "log", in: ["log"]))
        XCTAssertEqual(Suggestions.closest(to: "log", in: ["log", "lot"]), "lot")
    }

    func testHintSentence() {
        XCTAssertEqual(Suggestions.hint(for: "ensure-lin", in: ops), "did you mean `ensure-line`?")
        XCTAssertNil(Suggestions.hint(for: "zzzzzz", in: ops))
    }

    func testEditDistance() {
        XCTAssertEqual(Suggestions.editDistance("", "abc"), 3)
        XCTAssertEqual(Suggestions.editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestions.editDistance("flaw", "lawn"), 2)
    }
}
