import Foundation
import XCTest
import Interpreter
import Stdlib

/// Ansible's lineinfile and ini_file integration cases (Tests/Fixtures/peer-cases.json), run
/// through ensure-line and edit-ini: one data-driven test, every case accounted for.
///
/// Each case's parameters are mapped onto ours; the result must equal Ansible's bytes, or,
/// for the cases listed in `deliberateDifferences`, either match structurally (same sections,
/// same active settings in the same order, every comment of Ansible's output still present)
/// or equal the output written here, with the reason we differ.
final class PeerCasesTests: XCTestCase {
    enum Difference {
        /// Same settings, different bytes: compare structurally.
        case structural(String)
        /// Our own exact result, with the reason.
        case ours(String, expected: String)
        /// The call is refused with an error and the file is left alone, for the reason given.
        case refused(String)
    }

    static let deliberateDifferences: [String: Difference] = [
        // lineinfile
        "lif-13-multiline-line-eof": .refused(
            "a line break in `line` is refused: a value ending up as two lines is how a client list with a newline "
                + "once exported `/`"),
        "lif-14-backref-in-line": .ours(
            "crucible writes `line` exactly as given and has no `backrefs`: a recipe builds the line with string "
                + "interpolation, so a value never changes meaning because it contains `\\1`",
            expected: "New line at the beginning\nThis is line 1\nNew line after line 1\nThis is line 2\n"
                + "New \\1 created with the backref\nNew line before line 5\nNew line at the end\nThis is a line\nwith \\n character\n"),
        // ini_file
        "ini-01-create-file-section-option": .structural("no leading blank line before the first section of a new file"),
        "ini-09-no-section-option-empty-file": .structural(
            "a top-level key in a file without settings is written `key=value` (shell-style files break with spaces), "
                + "and no trailing blank line is added"),
        "ini-11-utf8-bom-file-add-option": .structural(
            "the byte order mark is kept (bytes we need not change stay) and the new key copies the file's `key=value` spacing"),
        "ini-12-multi-values-create": .structural("no leading blank line before the first section of a new file"),
        "ini-17-commented-option-replaced-in-place": .structural(
            "the active line goes right AFTER the commented-out default instead of replacing it: one added line in the "
                + "diff, and the stock default stays visible"),
        "ini-20-ignore-spaces-commented-line": .structural(
            "added after the commented `; bar=baz`, with that comment's spacing"),
        "ini-22-modify-inactive-true": .structural("added after the commented-out default instead of replacing it"),
        "ini-23-modify-inactive-false": .structural(
            "there is no modify_inactive_option: a commented-out default is always where the value goes"),
        "ini-25-section-has-values-selects-second": .ours(
            "there is no section_has_values: duplicate sections are one section, the key goes to the first copy",
            expected: "[drinks]\nfav = lemonade\nbeverage = orange juice\ncar = volvo\n\n[drinks]\nfav = lemonade\nbeverage = pineapple juice\n"),
        "ini-26-section-name-with-spaces": .structural("added after the commented `; bar=baz`, with that comment's spacing"),
        "ini-27-doc-comments-kept-commented-config-replaced": .structural(
            "added after `;output_buffering = 4096` instead of replacing it"),
    ]

    func testEveryPeerCase() async throws {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("peer-cases.json"))
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let lineCases = try XCTUnwrap(root["lineinfile"] as? [[String: Any]])
        let iniCases = try XCTUnwrap(root["ini_file"] as? [[String: Any]])
        XCTAssertEqual(lineCases.count, 30)
        XCTAssertEqual(iniCases.count, 27)
        var seen = Set<String>()
        for peerCase in lineCases + iniCases {
            let id = try XCTUnwrap(peerCase["id"] as? String)
            seen.insert(id)
            try await check(peerCase, id: id, isLineCase: id.hasPrefix("lif-"))
        }
        XCTAssertTrue(Set(Self.deliberateDifferences.keys).isSubset(of: seen), "a listed difference names no case")
    }

    // MARK: - Running one case

    private func check(_ peerCase: [String: Any], id: String, isLineCase: Bool) async throws {
        let scratch = try Scratch()
        let path = scratch.path("file")
        if let input = peerCase["input"] as? String {
            try scratch.write(input, to: "file")
        }
        let single = peerCase["params"] as? [String: Any]
        let steps = try XCTUnwrap((peerCase["params_sequence"] as? [[String: Any]]) ?? single.map { [$0] }, "\(id): no params")
        let calls = try steps.map { try isLineCase ? Self.ensureLine($0, path: path) : Self.editIni($0, path: path, caseInfo: peerCase) }
        for call in calls where !call.unmapped.isEmpty {
            XCTAssertNotNil(Self.deliberateDifferences[id], "\(id) uses \(call.unmapped) but is not listed as a deliberate difference")
        }
        let host = OpTestHost(backupsByDefault: false)
        if case .refused(let reason)? = Self.deliberateDifferences[id] {
            let before = Disk.text(path)
            for call in calls {
                do {
                    _ = try await host.run(call.op, call.arguments)
                    XCTFail("\(id): expected an error (\(reason))")
                } catch is OpError {}
            }
            XCTAssertEqual(Disk.text(path), before, "\(id): a refused call changed the file")
            return
        }
        var changed = false
        for call in calls {
            let outcome = try await host.run(call.op, call.arguments)
            if outcome.changed { changed = true }
        }
        let expected = try XCTUnwrap(peerCase["expected"] as? String)
        let actual = Disk.text(path) ?? ""
        XCTAssertEqual(changed, try XCTUnwrap(peerCase["changed"] as? Bool), "\(id): changed")
        switch Self.deliberateDifferences[id] {
        case nil:
            XCTAssertEqual(actual, expected, "\(id): bytes differ from Ansible's")
        case .structural(let reason)?:
            XCTAssertNotEqual(actual, expected, "\(id) now matches Ansible exactly: drop it from the differences (\(reason))")
            XCTAssertEqual(Structure(actual), Structure(expected), "\(id): settings differ from Ansible's (\(reason))")
            for comment in Structure(expected).comments {
                XCTAssertTrue(Structure(actual).comments.contains(comment), "\(id): lost comment \(comment)")
            }
        case .ours(let reason, let ours)?:
            XCTAssertEqual(actual, ours, "\(id): \(reason)")
        case .refused?:
            break
        }
        // Whatever the case, running the same calls again changes nothing.
        for call in calls {
            let again = try await host.run(call.op, call.arguments)
            XCTAssertFalse(again.changed, "\(id): a second run changed the file")
        }
        XCTAssertEqual(Disk.text(path) ?? "", actual, "\(id): second run")
    }

    struct Call {
        var op: String
        var arguments: [String: Value]
        /// Ansible features this call used that have no crucible equivalent: the case must
        /// then be listed in `deliberateDifferences`.
        var unmapped: [String] = []
    }

    /// lineinfile → ensure-line: regexp → match, insertafter → after (EOF: the default),
    /// insertbefore → before (BOF: `^`, which matches the first line), firstmatch →
    /// first_match. `backrefs: true` with a line without backreferences is `match` (a regexp
    /// that matches nothing then finds the line already present in these cases).
    static func ensureLine(_ params: [String: Any], path: String) throws -> Call {
        var arguments: [String: Value] = ["path": .string(path)]
        var unmapped: [String] = []
        let line = params["line"] as? String ?? ""
        if params["backrefs"] as? Bool == true, line.range(of: #"\\[0-9]"#, options: .regularExpression) != nil {
            unmapped.append("backrefs")
        }
        for (key, raw) in params {
            let value = Self.value(raw)
            switch key {
            case "line": arguments["line"] = value
            case "regexp": arguments["match"] = value
            case "state": arguments["state"] = value
            case "firstmatch": arguments["first_match"] = value
            case "create": arguments["create"] = value
            case "insertafter": if value != .string("EOF") { arguments["after"] = value }
            case "insertbefore": arguments["before"] = value == .string("BOF") ? .string("^") : value
            case "backrefs": break
            default: throw OpError("lineinfile parameter `\(key)` has no mapping")
            }
        }
        return Call(op: "ensure-line", arguments: arguments, unmapped: unmapped)
    }

    /// ini_file → edit-ini: option/value → `settings: {option = value}`, values → a list,
    /// allow_no_value → `bare: [option]`, state absent → `state: "absent"`, a missing file →
    /// `create: true` (Ansible creates by default; crucible does not). `exclusive: false`
    /// removals are written as the values to keep.
    static func editIni(_ params: [String: Any], path: String, caseInfo: [String: Any]) throws -> Call {
        var arguments: [String: Value] = ["path": .string(path)]
        if caseInfo["file_exists"] as? Bool == false { arguments["create"] = .bool(true) }
        let option = params["option"] as? String
        let state = params["state"] as? String ?? "present"
        let exclusive = params["exclusive"] as? Bool ?? true
        for (key, raw) in params {
            switch key {
            case "section": arguments["section"] = value(raw)
            case "option", "value", "values", "state", "exclusive", "allow_no_value": break
            // Values are always compared without the spacing around `=` (ignore_spaces), and a
            // commented-out default is always used (modify_inactive_option: true).
            case "ignore_spaces", "modify_inactive_option", "section_has_values": break
            default: throw OpError("ini_file parameter `\(key)` has no mapping")
            }
        }
        var unmapped: [String] = []
        if params["modify_inactive_option"] as? Bool == false { unmapped.append("modify_inactive_option: false") }
        if params["section_has_values"] != nil { unmapped.append("section_has_values") }
        guard let option else {
            arguments["state"] = .string(state)
            return Call(op: "edit-ini", arguments: arguments, unmapped: unmapped)
        }
        if params["allow_no_value"] as? Bool == true && params["value"] == nil && params["values"] == nil {
            arguments["bare"] = .list([.string(option)])
            return Call(op: "edit-ini", arguments: arguments, unmapped: unmapped)
        }
        let given: Value = params["values"].map(value) ?? params["value"].map(value) ?? .none
        if state == "absent" && !exclusive {
            // Remove only the given values: keep the others, which we read from the input.
            let input = IniDocument(caseInfo["input"] as? String ?? "")
            let section = params["section"] as? String
            let removed = given.asList?.compactMap(\.asString) ?? []
            let kept = input.values(of: option, in: section).compactMap { $0 }.filter { !removed.contains($0) }
            arguments["settings"] = .record([option: .list(kept.map(Value.string))])
        } else if state == "absent" {
            arguments["state"] = .string("absent")
            arguments["settings"] = .record([option: .none])
        } else {
            arguments["settings"] = .record([option: given])
        }
        return Call(op: "edit-ini", arguments: arguments, unmapped: unmapped)
    }

    /// A JSON value as a recipe value. JSONSerialization gives NSNumbers, which cast to
    /// both Bool and Int, so the value is re-decoded strictly (0 stays an int).
    static func value(_ raw: Any) -> Value {
        guard let data = try? JSONSerialization.data(withJSONObject: [raw]),
              let decoded = try? JSONDecoder().decode([JSONValue].self, from: data).first else { return .none }
        return decoded.value
    }
}

/// A JSON value decoded strictly: `true` is a bool and `0` an int.
enum JSONValue: Decodable {
    case null, bool(Bool), int(Int), string(String), list([JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Int.self) { self = .int(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else { self = .list(try container.decode([JSONValue].self)) }
    }

    var value: Value {
        switch self {
        case .null: return .none
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .string(let text): return .string(text)
        case .list(let items): return .list(items.map(\.value))
        }
    }
}

/// An INI text reduced to what a program reading it sees: sections and their active
/// settings in order, plus the comment lines (for "no comment lost").
struct Structure: Equatable {
    var settings: [String]
    var comments: [String]

    init(_ text: String) {
        var settings: [String] = []
        var comments: [String] = []
        var section = ""
        for line in TextLines(text).texts {
            switch IniLine.parse(line) {
            case .header(let name): section = name; settings.append("[\(name)]")
            case .entry(let entry): settings.append("\(section).\(entry.key)=\(entry.value ?? "<bare>")")
            case .comment: comments.append(line.trimmingCharacters(in: .whitespaces))
            case .blank: break
            }
        }
        self.settings = settings
        self.comments = comments
    }

    static func == (lhs: Structure, rhs: Structure) -> Bool { lhs.settings == rhs.settings }
}
