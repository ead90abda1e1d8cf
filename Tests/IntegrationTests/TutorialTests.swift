import Foundation
import XCTest

/// The recipes that docs/tutorial.md and docs/comparison.md show are real: the tutorial's is
/// docs/examples/libvirt-tcp.crucible word for word, and both pass `lint` and `fmt --check`.
final class TutorialTests: XCTestCase {
    func text(_ path: String) throws -> String {
        try String(contentsOf: CrucibleProcess.repoRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The fenced blocks of a markdown file that have no language tag (crucible recipes).
    func recipeBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = [], current: [Substring]?, inTaggedBlock = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if inTaggedBlock {
                // A block tagged sh, yaml or python: skipped up to its end.
                if line == "```" { inTaggedBlock = false }
            } else if line == "```" {
                if let lines = current { blocks.append(lines.joined(separator: "\n") + "\n"); current = nil } else { current = [] }
            } else if line.hasPrefix("```") {
                inTaggedBlock = true
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    func testTheTutorialShowsTheExampleRecipeAsItIs() throws {
        let example = try text("docs/examples/libvirt-tcp.crucible")
        XCTAssertTrue(recipeBlocks(try text("docs/tutorial.md")).contains(example),
                      "docs/tutorial.md no longer shows docs/examples/libvirt-tcp.crucible as it is")
    }

    func testDocumentedRecipesLintAndAreFormatted() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-docs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files = [CrucibleProcess.repoRoot.appendingPathComponent("docs/examples/libvirt-tcp.crucible").path]
        let blocks = recipeBlocks(try text("docs/comparison.md")).filter { $0.contains("on hosts") }
        XCTAssertEqual(blocks.count, 1, "docs/comparison.md lost its crucible version")
        for (index, block) in blocks.enumerated() {
            let path = directory.appendingPathComponent("comparison-\(index).crucible").path
            try block.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let lint = try CrucibleProcess.run(["lint", "--strict"] + files)
        XCTAssertEqual(lint.status, 0, lint.output)
        let format = try CrucibleProcess.run(["fmt", "--check"] + files)
        XCTAssertEqual(format.status, 0, format.output)
    }

    /// The path without root: its recipe, run as written on a copy of the stock file.
    func testThePathWithoutRootWorksAsWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-noroot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let block = try XCTUnwrap(recipeBlocks(try text("docs/tutorial.md")).first { $0.contains("param conf: string") })
        let recipe = directory.appendingPathComponent("tcp.crucible").path
        try block.write(toFile: recipe, atomically: true, encoding: .utf8)
        let conf = directory.appendingPathComponent("libvirtd.conf")
        try FileManager.default.copyItem(at: CrucibleProcess.repoRoot.appendingPathComponent("Tests/Fixtures/rhel7/etc/libvirt/libvirtd.conf"), to: conf)
        let arguments = ["run", recipe, "--set", "conf=\(conf.path)", "--lock-path", directory.appendingPathComponent("lock").path]
        XCTAssertEqual(try CrucibleProcess.run(["fmt", "--check", recipe]).status, 0)
        let first = try CrucibleProcess.run(arguments)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.stdout.contains("[local] libvirtd would be restarted now"), first.stdout)
        XCTAssertTrue(try String(contentsOf: conf, encoding: .utf8).contains("\ntcp_port = \"16509\"\n"))
        let again = try CrucibleProcess.run(arguments)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertFalse(again.stdout.contains("restarted"), again.stdout)
    }
}
