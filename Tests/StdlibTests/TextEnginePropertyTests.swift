import Foundation
import XCTest
import Interpreter
import Stdlib

/// Properties of the text engines on many generated files: an edit reads back as written,
/// repeating it changes nothing, and lines unrelated to the edit keep their bytes.
final class TextEnginePropertyTests: XCTestCase {
    private var random = Generator(seed: 0xC0FFEE)

    func testIniSetReadsBackIsIdempotentAndTouchesOnlyItsKey() {
        for round in 0..<400 {
            let original = randomIni()
            let key = ["alpha", "beta", "gamma", "delta"][Int(random.next() % 4)]
            let section: String? = random.next() % 3 == 0 ? nil : ["one", "two", "three"][Int(random.next() % 3)]
            let value = "v\(random.next() % 5)"
            var document = IniDocument(original)
            document.set(key, to: value, in: section)
            XCTAssertEqual(document.values(of: key, in: section), [value], "round \(round)\n\(original)")
            var again = document
            XCTAssertFalse(again.set(key, to: value, in: section), "round \(round): second set changed\n\(document.text)")
            XCTAssertEqual(again.bytes, document.bytes)
            assertOnlyLinesOf(key, changedBetween: original, and: document.text, round: round)
        }
    }

    func testIniRemoveLeavesNoValueAndOnlyTouchesItsKey() {
        for round in 0..<300 {
            let original = randomIni()
            let key = ["alpha", "beta"][Int(random.next() % 2)]
            let section: String? = random.next() % 3 == 0 ? nil : "one"
            var document = IniDocument(original)
            document.remove(key, in: section)
            XCTAssertEqual(document.values(of: key, in: section), [], "round \(round)")
            var again = document
            XCTAssertFalse(again.remove(key, in: section))
            assertOnlyLinesOf(key, changedBetween: original, and: document.text, round: round)
        }
    }

    /// Files with what operators add: inline comments, `#` inside values, keys with blanks,
    /// indentation. An edit reads back, a second one changes nothing, a line that already
    /// holds the value keeps its bytes, and another line never changes.
    func testIniSetOnFilesWithInlineCommentsAndKeysWithBlanks() {
        let keys = ["alpha", "beta two", "gamma"]
        for round in 0..<400 {
            var text = ""
            for _ in 0..<Int(random.next() % 14) {
                let key = keys[Int(random.next() % 3)]
                let indent = ["", "\t", "  "][Int(random.next() % 3)]
                switch random.next() % 7 {
                case 0: text += "[\(["one", "two"][Int(random.next() % 2)])]\n"
                case 1: text += "#\(key) = v\(random.next() % 3)\n"
                case 2: text += "\(indent)\(key) = v\(random.next() % 3)  # note \(random.next() % 9)\n"
                case 3: text += "\(indent)\(key)=\"v\(random.next() % 3) # quoted\"\n"
                case 4: text += "\(indent)\(key) = v#\(random.next() % 3)\n"
                case 5: text += "\n"
                default: text += "\(indent)\(key) = v\(random.next() % 3)\n"
                }
            }
            let key = keys[Int(random.next() % 3)]
            let section: String? = random.next() % 3 == 0 ? nil : "one"
            let value = ["v1", "v#2", "\"v1 # quoted\"", "v1 # with its own hash"][Int(random.next() % 4)]
            var document = IniDocument(text)
            let before = document.values(of: key, in: section)
            let changed = document.set(key, to: value, in: section)
            let after = document.values(of: key, in: section)
            XCTAssertEqual(after.count, 1, "round \(round)\n\(text)")
            var again = document
            XCTAssertFalse(again.set(key, to: value, in: section), "round \(round): second set changed\n\(document.text)")
            XCTAssertEqual(again.bytes, document.bytes, "round \(round)")
            if before == [value] { XCTAssertFalse(changed, "round \(round): the value was there\n\(text)") }
            assertOnlyLinesOf(key, changedBetween: text, and: document.text, round: round)
        }
    }

    func testEnsurePresentIsIdempotentAndAddsOneLine() throws {
        for round in 0..<300 {
            let original = (0..<Int(random.next() % 8)).map { _ in "k\(random.next() % 4)=\(random.next() % 3)\n" }.joined()
                + (random.next() % 4 == 0 ? "tail" : "")
            let line = "k\(random.next() % 4)=9"
            let match = random.next() % 2 == 0 ? try LinePattern("^" + line.prefix(2) + "=") : nil
            var file = LineFile(original)
            file.ensurePresent(line, placement: .init(match: match))
            let after = String(decoding: file.bytes, as: UTF8.self)
            XCTAssertTrue(TextLines(after).texts.contains(line), "round \(round)")
            var again = file
            XCTAssertFalse(again.ensurePresent(line, placement: .init(match: match)), "round \(round)")
            let delta = TextLines(after).count - TextLines(original).count
            XCTAssertTrue(delta == 0 || delta == 1, "round \(round): \(delta) lines added")
        }
    }

    func testHostsEnsureIsIdempotentAndListsEachNameOnce() {
        for round in 0..<300 {
            let original = (0..<Int(random.next() % 6)).map { _ in
                "10.0.0.\(random.next() % 4) " + (0..<Int(1 + random.next() % 3)).map { _ in "h\(random.next() % 5)" }.joined(separator: " ") + "\n"
            }.joined()
            let address = "10.0.0.\(random.next() % 4)"
            let names = Array(Set((0..<Int(1 + random.next() % 2)).map { _ in "h\(random.next() % 5)" })).sorted()
            var file = HostsFile(original)
            file.ensure(address: address, names: names)
            // The wanted names are there; the line's other aliases stay, in front of them.
            let listed = file.names(of: address) ?? []
            XCTAssertTrue(Set(names).isSubset(of: Set(listed)), "round \(round)\n\(original)")
            XCTAssertEqual(listed.count, Set(listed).count, "round \(round): a name twice on one line")
            var again = file
            XCTAssertFalse(again.ensure(address: address, names: names), "round \(round)")
            let text = String(decoding: file.bytes, as: UTF8.self)
            for name in names {
                let holders = TextLines(text).texts.filter { $0.split(separator: " ").dropFirst().contains(Substring(name)) }
                XCTAssertEqual(holders.count, 1, "round \(round): \(name) on \(holders)")
            }
            XCTAssertEqual(TextLines(text).texts.filter { $0.hasPrefix(address + " ") }.count, 1, "round \(round)")
        }
    }

    // MARK: - Helpers

    /// Every line that differs between the two texts (by a minimal diff) is a line of `key`,
    /// an added section header or blank line before it, or the old last line that gained the
    /// newline it needs now that a line follows it.
    private func assertOnlyLinesOf(_ key: String, changedBetween old: String, and new: String, round: Int) {
        let diff = UnifiedDiff.render(old: Array(old.utf8), new: Array(new.utf8), path: "f", context: 0)
        // Carriage returns dropped first: as a Character, "\r\n" is not "\n" and would not split.
        let changed = diff.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false).filter {
            ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---")
        }
        let bodies = { (marker: Character) in
            changed.filter { $0.first == marker }.map { $0.dropFirst().trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        let removed = bodies("-"), added = bodies("+")
        for body in removed where !body.hasPrefix(key) {
            XCTAssertTrue(added.contains(body), "round \(round): unrelated line removed: \(body)\n\(diff)")
        }
        for body in added where !(body.hasPrefix(key) || body.hasPrefix("[") || body.isEmpty) {
            XCTAssertTrue(removed.contains(body), "round \(round): unrelated line added: \(body)\n\(diff)")
        }
    }

    private func randomIni() -> String {
        var text = ""
        let keys = ["alpha", "beta", "gamma", "other"]
        for _ in 0..<Int(random.next() % 14) {
            switch random.next() % 8 {
            case 0: text += "[\(["one", "two", "three"][Int(random.next() % 3)])]\n"
            case 1: text += "# comment \(random.next() % 9)\n"
            case 2: text += "#\(keys[Int(random.next() % 4)])=\(random.next() % 5)\n"
            case 3: text += "\n"
            case 4: text += "\(keys[Int(random.next() % 4)]) = v\(random.next() % 5)\n"
            default: text += "\(keys[Int(random.next() % 4)])=v\(random.next() % 5)\n"
            }
        }
        if random.next() % 5 == 0 { text += "last=1" }
        if random.next() % 7 == 0 { text = text.replacingOccurrences(of: "\n", with: "\r\n") }
        return text
    }
}

/// A small deterministic generator (SplitMix64), so a failing round can be replayed.
struct Generator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
