import Foundation
import XCTest

/// `crucible-sh repl local` with standard input from a pipe: no prompts, no history, one
/// statement after another, every error reported and the session kept; the exit status
/// says whether any entry failed.
final class ReplPipedTests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-repl-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    func seed(_ name: String, _ text: String) throws -> String {
        let path = tmp.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func repl(_ script: String) throws -> CrucibleProcess.Result {
        try CrucibleProcess.run(["repl", "local"], environment: ["HOME": tmp.path], stdin: script)
    }

    func testAScriptedSessionAppliesOpsKeepsNamesAndPrintsValuesWithoutPrompts() throws {
        let path = try seed("hosts", "127.0.0.1 localhost\n")
        let result = try repl("""
            let line = "10.0.0.2 c1"
            ensure-line "\(path)" line
            ensure-line "\(path)" line
            for n in [1, 2] {
              log("pass ${n}")
            }
            len([line, "x"]) * 10
            "${host.name}: ${line}"

            """)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.stdout, """
            changed ensure-line
            --- \(path)
            +++ \(path)
            @@ -1 +1,2 @@
             127.0.0.1 localhost
            +10.0.0.2 c1
            ok ensure-line: \(path) is already as wanted
            pass 1
            pass 2
            20
            "local: 10.0.0.2 c1"

            """)
        XCTAssertEqual(try contents(path), "127.0.0.1 localhost\n10.0.0.2 c1\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: tmp.appendingPathComponent(".crucible_history").path),
                       "piped input leaves no history")
    }

    func testErrorsOfEveryKindAreReportedAndTheSessionGoesOn() throws {
        let path = try seed("conf", "a=1\n")
        let result = try repl("""
            let = 3
            1 + 1
            ensure-lin "\(path)" "b=2"
            let kept = "still here"
            run("echo boom >&2; exit 4")
            [1, 2][7]
            :frobnicate
            kept
            if true {
              log("unclosed")
            """)
        XCTAssertEqual(result.status, 1, "an entry failed:\n\(result.output)")
        XCTAssertEqual(result.stdout, "2\n\"still here\"\n", result.output)
        let errors = result.stderr
        XCTAssertTrue(errors.contains("<repl>:1:5: error: expected a name after `let`"), errors)
        XCTAssertTrue(errors.contains("error: unknown operation or function `ensure-lin`"), errors)
        XCTAssertTrue(errors.contains("hint: did you mean `ensure-line`?"), errors)
        XCTAssertTrue(errors.contains("exit status 4): boom"), errors)
        XCTAssertTrue(errors.contains("<repl>:1:1: error:") && errors.contains(" 1 | [1, 2][7]"), errors)
        XCTAssertTrue(errors.contains("unknown command `:frobnicate`"), errors)
        XCTAssertTrue(errors.contains("expected `}` to close the block"), "input ending inside a block:\n\(errors)")
        XCTAssertFalse(result.stdout.contains("unclosed"), "the unfinished block did not run")
        XCTAssertEqual(try contents(path), "a=1\n", "the rejected entry ran nothing")
    }

    func testAMistakeInsideABlockIsShownAtOnceWithoutAMissingBraceAndTheBlockIsDropped() throws {
        let result = try repl("""
            on host {
              if true {
                log("x"
              }
              log(1 +)
            }
            log("after")

            """)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertEqual(result.stdout, "after\n", "the broken block ran nothing, the next entry ran:\n\(result.output)")
        let errors = result.stderr
        XCTAssertTrue(errors.contains("<repl>:4:3: error: expected `)` or `,` in the call of `log`, found `}`"), errors)
        XCTAssertTrue(errors.contains("<repl>:5:10: error: expected an expression, found `)`"), errors)
        XCTAssertFalse(errors.contains("expected `}` to close the block"), "the block was still being typed:\n\(errors)")
        XCTAssertFalse(errors.contains("no block is open"), "its closing `}` ended it, not a new entry:\n\(errors)")
        XCTAssertEqual(errors.components(separatedBy: "error:").count - 1, 2, "each mistake once:\n\(errors)")
    }

    func testCheckModeShowsTheDiffAndWritesNothing() throws {
        let path = try seed("exports", "/srv *(ro)\n")
        let result = try repl("""
            :check on
            ensure-line "\(path)" "/var/lib/nova/instances *(rw)"
            :check off
            ensure-line "\(path)" "/data *(rw)"
            """)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.contains("changed ensure-line (check mode: not applied)\n--- \(path)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("+/var/lib/nova/instances *(rw)"), result.stdout)
        XCTAssertEqual(try contents(path), "/srv *(ro)\n/data *(rw)\n", "only the entry after `:check off` wrote")
    }

    func testHelpLoadAndFactsMetaCommands() throws {
        let path = try seed("conf", "a=1\n")
        let recipe = try seed("snippet.crucible", """
            fn add(line) {
              return ensure-line "\(path)" line
            }
            let loaded = add("from=load")

            """)
        let result = try repl("""
            :help ensure-line
            :help ensure-lin
            :load \(recipe)
            loaded.changed
            add("again=1").changed
            :facts
            :load \(tmp.path)/missing.crucible
            """)
        XCTAssertEqual(result.status, 1, "two meta-commands failed:\n\(result.output)")
        XCTAssertTrue(result.stdout.contains("ensure-line PATH [LINE]"), result.stdout)
        XCTAssertTrue(result.stderr.contains("no operation `ensure-lin`; did you mean `ensure-line`?"), result.stderr)
        XCTAssertTrue(result.stdout.contains("changed ensure-line\n--- \(path)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("true\n"), "`let` and `fn` of the loaded file persist:\n\(result.stdout)")
        XCTAssertTrue(result.stdout.contains("distribution"), result.stdout)
        XCTAssertTrue(result.stderr.contains("cannot read `\(tmp.path)/missing.crucible`"), result.stderr)
        XCTAssertEqual(try contents(path), "a=1\nfrom=load\nagain=1\n")
    }

    func testTheHelpExampleWorks() throws {
        let help = try repl(":help\n")
        XCTAssertTrue(help.stdout.contains("  f.distribution "), help.stdout)
        let result = try repl("let f = facts()\nf.distribution\n")
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.hasPrefix("\"") && result.stdout.hasSuffix("\"\n"), result.stdout)
    }

    func testLoadGivesARecipeItsParamsWithSet() throws {
        let recipe = try seed("greet.crucible", """
            param name: string
            param times = 1
            on "local" { log("hello ${name} x${times}") }

            """)
        let result = try repl("""
            :load \(recipe) --set name=nova --set times=2
            :load \(recipe) --set=name=qemu
            :load \(recipe)

            """)
        XCTAssertEqual(result.status, 1, "the load without a value failed: \(result.output)")
        XCTAssertEqual(result.stdout, "hello nova x2\nhello qemu x1\n")
        XCTAssertTrue(result.stderr.contains("no value for the required param `name` (string)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--set name=VALUE"), result.stderr)
    }
}
