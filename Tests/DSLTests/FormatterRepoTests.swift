@testable import DSL
import Foundation
import XCTest

/// The formatter over every recipe in the repository: the corpus, the bundled recipes and
/// their examples, and any `.crucible` file under docs/.
///
/// - each file is already canonical (what `crucible-sh fmt --check` checks in CI);
/// - formatting is idempotent and keeps the AST (positions aside) and every comment;
/// - a scrambled copy (re-indented, extra spaces, extra blank lines) formats back to the
///   canonical text.
final class FormatterRepoTests: XCTestCase {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Every recipe in the repository, as paths relative to its root.
    static func recipeFiles() -> [String] {
        var files: [String] = []
        for directory in ["recipes", "Tests/Corpus", "docs"] {
            let root = repoRoot.appendingPathComponent(directory)
            let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
            while let url = enumerator?.nextObject() as? URL {
                if url.pathExtension == "crucible" { files.append(directory + url.path.dropFirst(root.path.count)) }
            }
        }
        return files.sorted()
    }

    /// The file's text; a corpus case that is not UTF-8 on purpose reads with U+FFFD.
    func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: Self.repoRoot.appendingPathComponent(path)), as: UTF8.self)
    }

    /// Formats, or nil for the corpus cases about syntax errors (including `_*.crucible`
    /// files included by such cases): the corpus runner checks their diagnostics, and the
    /// formatter reports the same errors and leaves them alone. Any other failure fails.
    func formatted(_ path: String, _ text: String) -> String? {
        // The file itself is read as crucible-sh reads it: as bytes that may not be UTF-8.
        let onDisk = (try? Data(contentsOf: Self.repoRoot.appendingPathComponent(path))).map { [UInt8]($0) }
        let source = onDisk.map { String(decoding: $0, as: UTF8.self) == text } == true
            ? SourceFile(name: path, bytes: onDisk!) : SourceFile(name: path, text: text)
        switch Formatter().format(source) {
        case .success(let result):
            return result
        case .failure(let failure):
            let syntaxErrors = Parser.parse(source).1.hasErrors
            if !(path.hasPrefix("Tests/Corpus/") && syntaxErrors) {
                XCTFail("\(path) was not formatted: \(failure.diagnostics)")
            }
            return nil
        }
    }

    func testTheRepositoryHasRecipesToFormat() {
        let files = Self.recipeFiles()
        XCTAssertTrue(files.contains("recipes/live-migration.crucible"), "\(files)")
        XCTAssertGreaterThan(files.filter { $0.hasPrefix("Tests/Corpus/") }.count, 20)
    }

    func testEveryRecipeInTheRepositoryIsCanonical() throws {
        for path in Self.recipeFiles() {
            let text = try read(path)
            guard let result = formatted(path, text) else { continue }
            XCTAssertEqual(result, text, "\(path) is not formatted: run `crucible-sh fmt \(path)`")
        }
    }

    func testFormattingTwiceEqualsFormattingOnceAndKeepsTheProgram() throws {
        for path in Self.recipeFiles() {
            let text = try read(path)
            guard let once = formatted(path, text), let twice = formatted(path, once) else { continue }
            XCTAssertEqual(twice, once, "\(path): fmt(fmt(x)) != fmt(x)")
            let original = ASTShape.describe(Parser.parse(SourceFile(name: path, text: text)).0)
            let reformatted = ASTShape.describe(Parser.parse(SourceFile(name: path, text: once)).0)
            XCTAssertEqual(reformatted, original, "\(path): formatting changed the program")
        }
    }

    func testScrambledCopiesFormatBackToTheCanonicalText() throws {
        for (number, path) in Self.recipeFiles().enumerated() {
            let text = try read(path)
            guard let canonical = formatted(path, text) else { continue }
            if text.contains("# \(Formatter.optOutComment)") { continue }
            for round in 0..<3 {
                var scrambler = LayoutScrambler(seed: UInt64(number * 31 + round + 1))
                let scrambled = scrambler.scramble(canonical)
                XCTAssertNotEqual(scrambled, canonical)
                let scrambledShape = ASTShape.describe(Parser.parse(SourceFile(name: path, text: scrambled)).0)
                XCTAssertEqual(scrambledShape, ASTShape.describe(Parser.parse(SourceFile(name: path, text: canonical)).0),
                               "\(path): the scrambler changed the program (a bug in the test)")
                XCTAssertEqual(formatted(path, scrambled), canonical, "\(path), scramble round \(round)")
            }
        }
    }
}

extension FormatterRepoTests {
    /// The corpus cases with syntax errors are refused with exactly the parser's errors,
    /// so `crucible-sh fmt` never rewrites a file it cannot fully understand.
    func testCorpusCasesWithSyntaxErrorsAreRefusedWithTheParsersErrors() throws {
        var refused = 0
        for path in Self.recipeFiles() where path.hasPrefix("Tests/Corpus/") {
            let source = SourceFile(name: path, text: try read(path))
            let parseErrors = Parser.parse(source).1.filter { $0.severity == .error }
            guard !parseErrors.isEmpty else { continue }
            guard case .failure(let failure) = Formatter().format(source) else {
                XCTFail("\(path) has syntax errors but was formatted")
                continue
            }
            XCTAssertEqual(failure.diagnostics.map(\.description), parseErrors.map(\.description), path)
            refused += 1
        }
        XCTAssertGreaterThan(refused, 0, "the corpus has no syntax-error cases to check this on")
    }
}
