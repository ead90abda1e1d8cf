import DSL
import Foundation
import Interpreter
import Stdlib
import XCTest

/// The params-file workflow on the whole process: generate, edit, lint, run; override
/// order; errors with positions and nothing contacted; display names end to end.
final class ParamsCLITests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-params-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = tmp.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: tmp.appendingPathComponent(name).path).map { String(decoding: $0, as: UTF8.self) }
    }

    static var bundledRecipe: Program {
        let url = CrucibleProcess.repoRoot.appendingPathComponent("recipes/live-migration.crucible")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        return Parser.parse(SourceFile(name: "bundled:live-migration", text: text)).0
    }

    // MARK: - Generate, edit, lint

    func testGeneratedFileForTheBundledRecipeMeansTheDefaults() throws {
        let generated = try CrucibleProcess.run(["params", "live-migration"])
        XCTAssertEqual(generated.status, 0, generated.stderr)
        XCTAssertEqual(generated.stderr, "")
        XCTAssertTrue(generated.stdout.hasPrefix("# Params for the recipe live-migration"), generated.stdout)
        XCTAssertTrue(generated.stdout.contains("""

            # NFSv4 id-mapping domain. It must be the same on every node, or files show up as `nobody`.
            # string, default "localdomain"
            nfs_domain = "localdomain"

            """), "doc comment, type and default above each value:\n\(generated.stdout)")
        XCTAssertTrue(generated.stdout.contains("# host, required\ncontroller = required\n"), generated.stdout)

        // Unedited, it does not run: lint points at the placeholder.
        let unedited = try write("gen.params", generated.stdout)
        let lint = try CrucibleProcess.run(["lint", "live-migration", "--params", unedited])
        XCTAssertEqual(lint.status, 2)
        let line = generated.stdout.components(separatedBy: "\n").firstIndex(of: "controller = required")! + 1
        XCTAssertTrue(lint.stderr.hasPrefix("\(unedited):\(line):14: error: no value for the required param `controller` (host)"), lint.stderr)

        // With the required value added, it lints, and it means exactly the recipe's defaults.
        let edited = generated.stdout.replacingOccurrences(of: "controller = required", with: "controller = \"root@10.0.0.1\"")
        let path = try write("site.params", edited)
        let ok = try CrucibleProcess.run(["lint", "live-migration", "--params", path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(ok.stdout, "bundled:live-migration: ok\n")

        let file = ParamsFile.parse(SourceFile(name: path, text: edited))
        XCTAssertEqual(file.diagnostics, [])
        var checker = Checker(ops: Stdlib.all, inputs: file.inputs)
        XCTAssertEqual(checker.check(Self.bundledRecipe), [])
        // A default computed from other params (nfs_server = controller) is described in a
        // comment, not written as a value, so the recipe keeps computing it.
        let literal = checker.declaredParams.filter { decl in
            decl.defaultValue.map { (try? LiteralValue.evaluate($0).get()) != nil } ?? true
        }
        XCTAssertTrue(literal.count < checker.declaredParams.count, "the bundled recipe has a computed default")
        XCTAssertTrue(generated.stdout.contains("computed by the recipe by default: controller"), generated.stdout)
        XCTAssertEqual(Set(checker.paramValues.keys), Set(literal.map(\.name.name)), "every literal param is in the file")
        for decl in literal {
            guard let defaultValue = decl.defaultValue else { continue }
            let expected = try LiteralValue.evaluate(defaultValue).get()
            XCTAssertEqual(checker.paramValues[decl.name.name], expected, "`\(decl.name.name)` means its default")
        }
        XCTAssertEqual(checker.paramValues["controller"], .host(HostTarget(user: "root", address: "10.0.0.1")))
        XCTAssertEqual(checker.paramValues["computes"], .list([]))
        XCTAssertEqual(checker.paramValues["mountd_port"], .int(892))
        XCTAssertEqual(checker.paramValues["packstack"], .bool(false))
        XCTAssertEqual(checker.paramValues["instances_path"], .string("/var/lib/nova/instances"))
        XCTAssertEqual(checker.paramValues["export_options"], .string("rw,sync,no_root_squash"))
    }

    func testGenerateWithSetWritesTheGivenValuesInOverrideOrder() throws {
        let base = try write("base.params", "nfs_domain = \"base.example\"\nmountd_port = 1\ncontroller = \"root@10.0.0.1\" as \"ctl1\"\n")
        let site = try write("site.params", "nfs_domain = \"site.example\"\nmountd_port = 2\n")
        let result = try CrucibleProcess.run(["params", "live-migration", "--params", base, "--params", site,
                                              "--set", "mountd_port=3", "--set", "computes=cmp1=root@10.0.0.2,root@10.0.0.3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("# host, required; this value from \(base)\ncontroller = \"root@10.0.0.1\" as \"ctl1\"\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("# string, default \"localdomain\"; this value from \(site)\nnfs_domain = \"site.example\"\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("# int, default 892; this value from --set\nmountd_port = 3\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("computes = [\"root@10.0.0.2\" as \"cmp1\", \"root@10.0.0.3\"]\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("# int, default 662\nstatd_port = 662\n"), "untouched params keep their defaults")
    }

    // MARK: - Errors

    func testParamsFileErrorsAreRenderedWithPositionsAndNothingIsContacted() throws {
        // An unreachable address: if the run tried to connect, it would say so.
        let path = try write("bad.params", """
            controller = "root@127.0.0.1:1"
            computes = ["root@127.0.0.1:2", "root@127.0.0.1:bad"]
            nfs_domian = "x"
            """)
        let result = try CrucibleProcess.run(["run", "live-migration", "--params", path])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, """
            \(path):2:33: error: param `computes`: item 2: `root@127.0.0.1:bad` is not a host: `bad` is not a port number (1-65535)
             2 | computes = ["root@127.0.0.1:2", "root@127.0.0.1:bad"]
               |                                 ^~~~~~~~~~~~~~~~~~~~
               = hint: write `[user@]address[:port]`, like `"root@10.0.0.1"`, or `"ctl1=root@10.0.0.1"` with a display name
            bundled:live-migration:29:7: note: `computes` is declared here
             29 | param computes: [host] = []
                |       ^~~~~~~~
            \(path):3:1: error: the recipe has no param `nfs_domian`
             3 | nfs_domian = "x"
               | ^~~~~~~~~~
               = hint: did you mean `nfs_domain`?
            2 errors in \(path); no host was contacted

            """)
    }

    func testMissingParamNamesTheParamsFileAndUnreadableFilesExit2() throws {
        let path = try write("site.params", "nfs_domain = \"x\"\n")
        let missing = try CrucibleProcess.run(["lint", "live-migration", "--params", path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains(
            "   = hint: give it with `--set controller=root@10.0.0.1` or as `controller = \"root@10.0.0.1\"` in \(path)\n"), missing.stderr)

        let absent = tmp.appendingPathComponent("absent.params").path
        let unreadable = try CrucibleProcess.run(["run", "live-migration", "--params", absent])
        XCTAssertEqual(unreadable.status, 2)
        XCTAssertEqual(unreadable.stderr, "error: cannot read the params file `\(absent)`: check that it exists and is readable\n")

        let json = try CrucibleProcess.run(["lint", "live-migration", "--params", path, "--format", "json"])
        XCTAssertEqual(json.status, 2)
        let entries = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
        XCTAssertEqual(entries.map { $0["id"] as? String }, ["E-param-missing"])
    }

    // MARK: - Runs

    static let namesRecipe = """
        # Where the hosts file is written.
        param dir: string
        # Runs the block; its display name names it in the report and the recap.
        param controller: host
        # Only listed in the hosts file.
        param peers: [host] = []
        # Written to a file byte for byte.
        param payload = ""
        on controller {
          for node in [controller] + peers {
            hosts-entry node.address [node.name] path: "${dir}/hosts"
          }
          file "${dir}/payload" content: payload
        }
        """

    func testDisplayNamesReachTheReportTheRecapAndTheHostsFile() throws {
        let recipe = try write("names.crucible", Self.namesRecipe)
        let params = try write("names.params", """
            dir = \(Value.quoted(tmp.path))
            controller = "local" as "ctl1"
            peers = ["cmp1=root@10.0.0.2", "root@10.0.0.3" as "cmp2", "root@10.0.0.4"]
            """)
        _ = try write("hosts", "127.0.0.1 localhost\n")
        let run = try CrucibleProcess.run(["run", recipe, "--params", params, "--lock-path", tmp.appendingPathComponent("lock").path])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(read("hosts"), "127.0.0.1 localhost\nlocal ctl1\n10.0.0.2 cmp1\n10.0.0.3 cmp2\n10.0.0.4 10.0.0.4\n")
        XCTAssertTrue(run.stdout.contains("\nctl1 "), "the recap row is the display name:\n\(run.stdout)")
        XCTAssertTrue(run.stdout.contains("[ctl1] changed hosts-entry"), run.stdout)

        let json = try CrucibleProcess.run(["run", recipe, "--params", params, "--json", "--lock-path", tmp.appendingPathComponent("lock").path])
        XCTAssertEqual(json.status, 0, json.output)
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let host = (report?["hosts"] as? [[String: Any]])?.first
        XCTAssertEqual(host?["host"] as? String, "ctl1")
        XCTAssertEqual(host?["address"] as? String, "local")
    }

    func testAHostileValueFromAParamsFileIsWrittenLiterally() throws {
        let recipe = try write("names.crucible", Self.namesRecipe)
        let marker = tmp.appendingPathComponent("pwned").path
        // Quotes, command substitution, backticks, `;`, an escaped backslash before `n`, a newline escape.
        let literal = "\"it's \\\"q\\\" $(touch \(marker)) `touch \(marker)`; touch \(marker) \\\\n \\nend\\$HOME\""
        let expected = "it's \"q\" $(touch \(marker)) `touch \(marker)`; touch \(marker) \\n \nend$HOME"
        let params = try write("hostile.params", "dir = \(Value.quoted(tmp.path))\ncontroller = \"local\"\npayload = \(literal)\n")
        let run = try CrucibleProcess.run(["run", recipe, "--params", params, "--lock-path", tmp.appendingPathComponent("lock").path])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(read("payload"), expected)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "nothing in the value was run")
    }
}
