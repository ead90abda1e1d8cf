import Foundation
import XCTest
import Stdlib

/// The examples of the file ops are what `crucible-sh ops` and docs/ops.md show users:
/// every one of them must pass `crucible-sh lint --strict` (no warning either) as written.
final class FileOpExamplesTests: XCTestCase {
    func testEveryFileOpExampleLints() throws {
        // The few names the examples use, declared as a recipe would.
        var recipe = """
            param nfs_domain = "example.com"
            param sudoers = "nova ALL=(root) NOPASSWD: /usr/bin/nova-rootwrap\\n"
            param controller_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample root@ctl"
            param nodes: [host] = []
            on "local" {

            """
        for spec in FileOps.all {
            XCTAssertFalse(spec.examples.isEmpty, spec.name)
            for example in spec.examples {
                recipe += example.split(separator: "\n").map { "  \($0)\n" }.joined()
            }
        }
        recipe += "}\n"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("file-op-examples-\(UUID().uuidString).crucible")
        try recipe.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CrucibleProcess.run(["lint", "--strict", file.path])
        XCTAssertEqual(result.status, 0, "\(result.output)\n\(recipe)")
    }
}
