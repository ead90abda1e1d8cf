import DSL
import Foundation
import Stdlib
import XCTest

/// The editor files in editors/ against the language: the TextMate grammar is valid JSON
/// whose regexes compile, and both it and the Vim syntax name every keyword of the lexer and
/// every op, so they cannot drift apart (scripts/gen-editor-support regenerates them).
final class EditorSupportTests: XCTestCase {
    static let root = CrucibleProcess.repoRoot

    func grammar() throws -> [String: Any] {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("editors/textmate/crucible.tmLanguage.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any], "the grammar is not a JSON object")
    }

    /// Every rule of the grammar's repository with its name, flattening `patterns` lists.
    func rules(_ grammar: [String: Any]) throws -> [(name: String, rule: [String: Any])] {
        let repository = try XCTUnwrap(grammar["repository"] as? [String: [String: Any]])
        var rules: [(String, [String: Any])] = []
        for (name, rule) in repository {
            rules.append((name, rule))
            for inner in rule["patterns"] as? [[String: Any]] ?? [] { rules.append((name, inner)) }
        }
        return rules
    }

    /// The words a regex lists as alternatives in a group: `(if|else|for)` gives if, else, for.
    func alternatives(_ regex: String) -> Set<String> {
        var words: Set<String> = []
        let group = try! NSRegularExpression(pattern: #"\(([a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)*)\)"#)
        for match in group.matches(in: regex, range: NSRange(regex.startIndex..., in: regex)) {
            let inner = String(regex[Range(match.range(at: 1), in: regex)!])
            words.formUnion(inner.split(separator: "|").map(String.init))
        }
        return words
    }

    func testGrammarIsValidAndItsRegexesCompile() throws {
        let grammar = try grammar()
        XCTAssertEqual(grammar["scopeName"] as? String, "source.crucible")
        XCTAssertEqual(grammar["fileTypes"] as? [String], ["crucible"])
        for (name, rule) in try rules(grammar) {
            for key in ["match", "begin", "end"] {
                guard let pattern = rule[key] as? String else { continue }
                XCTAssertNoThrow(try NSRegularExpression(pattern: pattern), "\(name).\(key) does not compile: \(pattern)")
            }
        }
        // Every rule the main list includes exists.
        let repository = try XCTUnwrap(grammar["repository"] as? [String: Any])
        let main = try XCTUnwrap((repository["main"] as? [String: Any])?["patterns"] as? [[String: String]])
        for include in main.compactMap({ $0["include"] }) {
            XCTAssertNotNil(repository[String(include.dropFirst())], "main includes the missing rule \(include)")
        }
    }

    func testGrammarNamesEveryKeywordAndEveryOp() throws {
        let rules = try rules(try grammar())
        var keywordWords: Set<String> = [], opWords: Set<String> = []
        for (name, rule) in rules {
            let words = alternatives(rule["match"] as? String ?? "")
            if name == "op" { opWords.formUnion(words) } else { keywordWords.formUnion(words) }
        }
        for keyword in Keyword.allCases {
            XCTAssertTrue(keywordWords.contains(keyword.rawValue), "the grammar does not highlight the keyword `\(keyword.rawValue)`")
        }
        for op in Stdlib.all {
            XCTAssertTrue(opWords.contains(op.name), "the grammar does not know the op `\(op.name)`: run scripts/gen-editor-support")
        }
        XCTAssertEqual(opWords, Set(Stdlib.all.map(\.name)), "the grammar names ops that do not exist")
    }

    func testGrammarScopesARecipeAsExpected() throws {
        let rules = Dictionary(try rules(try grammar()).map { ($0.name, $0.rule) }, uniquingKeysWith: { first, _ in first })
        func matches(_ rule: String, _ text: String) throws -> Bool {
            let pattern = try XCTUnwrap(rules[rule]?["match"] as? String ?? rules[rule]?["begin"] as? String, rule)
            let regex = try NSRegularExpression(pattern: pattern)
            return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)).map { $0.range.location == 0 } ?? false
        }
        XCTAssertTrue(try matches("op", "ensure-line \"/etc/x\""))
        XCTAssertFalse(try matches("op", "ensure-lines"), "an op name inside a longer name")
        XCTAssertTrue(try matches("comment", "# a comment"))
        XCTAssertTrue(try matches("number", "8_080"))
        XCTAssertTrue(try matches("interpolation", "${upper(x)}"))
        XCTAssertTrue(try matches("triple-string", "\"\"\""))
    }

    func testVimSyntaxNamesEveryKeywordAndOpAndHighlightsARecipe() throws {
        let syntax = try String(contentsOf: Self.root.appendingPathComponent("editors/vim/syntax/crucible.vim"), encoding: .utf8)
        var keywords: Set<String> = []
        for line in syntax.split(separator: "\n") where line.hasPrefix("syntax keyword ") {
            keywords.formUnion(line.split(separator: " ").dropFirst(3).map(String.init))
        }
        for keyword in Keyword.allCases { XCTAssertTrue(keywords.contains(keyword.rawValue), "vim: keyword \(keyword.rawValue)") }
        for op in Stdlib.all { XCTAssertTrue(keywords.contains(op.name), "vim: op \(op.name)") }

        // Vim itself loads the files (ftdetect, then syntax) and colours a recipe.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-vim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let recipe = directory.appendingPathComponent("t.crucible")
        try "param port: int = 8_080 # the port\nlet s = \"a\\t${upper(x)}\"\nensure-line \"/etc/x\" \"y\" create: true\n"
            .write(to: recipe, atomically: true, encoding: .utf8)
        let out = directory.appendingPathComponent("groups.txt")
        let probes = "[[1,1],[1,19],[1,26],[2,10],[2,12],[2,15],[3,1],[3,35]]"
        let vim = try run("/usr/bin/vim", [
            "-Nu", "NONE", "-i", "NONE", "-es",
            "-c", "set rtp^=\(Self.root.appendingPathComponent("editors/vim").path)",
            "-c", "filetype on", "-c", "syntax on", "-c", "edit \(recipe.path)",
            "-c", "let g:out = [&filetype]",
            "-c", "for [l, c] in \(probes) | call add(g:out, synIDattr(synID(l, c, 1), 'name')) | endfor",
            "-c", "call writefile(g:out, '\(out.path)')", "-c", "qa!",
        ])
        XCTAssertEqual(vim.status, 0, vim.output)
        let groups = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(groups, ["crucible", "crucibleDeclaration", "crucibleNumber", "crucibleComment", "crucibleString",
                                "crucibleEscape", "crucibleOp", "crucibleOp", "crucibleBoolean"])
    }

    /// A recipe with an error and a warning-free rest, linted as editors do.
    func brokenRecipe(in directory: URL) throws -> URL {
        let recipe = directory.appendingPathComponent("broken.crucible")
        try "on \"local\" {\n  ensure-lin \"/x\" \"y\"\n}\nlog(undefined_name)\n".write(to: recipe, atomically: true, encoding: .utf8)
        return recipe
    }

    func testVimCompilerFillsTheQuickfixListFromLint() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-vimc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let recipe = try brokenRecipe(in: directory)
        let out = directory.appendingPathComponent("qf.txt")
        let vim = try run("/usr/bin/vim", [
            "-Nu", "NONE", "-i", "NONE", "-es",
            "-c", "set rtp^=\(Self.root.appendingPathComponent("editors/vim").path)",
            "-c", "edit \(recipe.path)", "-c", "compiler crucible",
            // The compiler's makeprg with the built binary instead of the one on PATH.
            "-c", "let &l:makeprg = substitute(&l:makeprg, '^crucible-sh', '\(CrucibleProcess.binary)', '')",
            "-c", "silent make",
            "-c", "call writefile(map(getqflist(), {_, e -> bufname(e.bufnr) . ':' . e.lnum . ':' . e.col . ':' . e.type . ':' . e.text}), '\(out.path)')",
            "-c", "qa!",
        ])
        XCTAssertEqual(vim.status, 0, vim.output)
        let entries = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(entries, [
            "\(recipe.path):2:3:e:unknown operation or function `ensure-lin`",
            "\(recipe.path):4:5:e:undefined name `undefined_name`",
        ])
    }

    func testVSCodeProblemMatcherMatchesLintLines() throws {
        let package = try Data(contentsOf: Self.root.appendingPathComponent("editors/vscode/package.json"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: package) as? [String: Any])
        let matchers = (json["contributes"] as? [String: Any])?["problemMatchers"] as? [[String: Any]]
        let pattern = try XCTUnwrap(matchers?.first?["pattern"] as? [String: Any])
        let regex = try NSRegularExpression(pattern: try XCTUnwrap(pattern["regexp"] as? String))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-vsc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let lint = try CrucibleProcess.run(["lint", try brokenRecipe(in: directory).path])
        var found: [String] = []
        for line in lint.stderr.split(separator: "\n").map(String.init) {
            let text = line as NSString
            guard let match = regex.firstMatch(in: line, range: NSRange(location: 0, length: text.length)) else { continue }
            let group = { (key: String) in text.substring(with: match.range(at: pattern[key] as? Int ?? 0)) }
            found.append([group("file"), group("line"), group("column"), group("severity"), group("message")].joined(separator: "|"))
        }
        let path = directory.appendingPathComponent("broken.crucible").path
        XCTAssertEqual(found, ["\(path)|2|3|error|unknown operation or function `ensure-lin`",
                               "\(path)|4|5|error|undefined name `undefined_name`"])
    }

    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            XCTFail("\(executable) is missing: scripts/install-deps installs vim")
            return (-1, "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
