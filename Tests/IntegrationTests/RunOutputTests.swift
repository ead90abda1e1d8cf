import Foundation
import XCTest

/// What `crucible-sh run` prints, byte for byte, on the local transport: a failure told once
/// in full and once in the recap, `run` results a recipe can branch on, log lines in order
/// with the ops around them, `-v`, and the `--json` document (docs/json.md).
extension CLITests {
    /// Runs a recipe with `dir` set to the test's directory; every mention of that
    /// directory in the output reads `<TMP>`.
    func runRecipe(_ recipe: String, _ extra: [String] = []) throws -> CrucibleProcess.Result {
        var result = try CrucibleProcess.run(["run", recipe, "--set", "dir=\(tmp.path)", "--lock-path", lockPath] + extra)
        result.stdout = result.stdout.replacingOccurrences(of: tmp.path, with: "<TMP>")
        result.stderr = result.stderr.replacingOccurrences(of: tmp.path, with: "<TMP>")
        return result
    }

    static let failing = """
        param dir: string
        on "local" {
          ensure-line "${dir}/exports" "/srv *(ro)" create: true
          log("exports written")
          let id = run "echo 42; echo note >&2" # crucible: allow W-run-always
          if id.stdout == "42" and id.rc == 0 {
            log("the command said ${id.stdout}, on stderr ${id.stderr}")
          }
          run "echo partial work; echo disk full >&2; exit 3" # crucible: allow W-run-always
          log("never printed")
        }
        """

    func testAFailureIsPrintedOnceInFullAndOnceInTheRecapAndLogsKeepTheirPlace() throws {
        let recipe = try write("fail.crucible", Self.failing)
        let result = try runRecipe(recipe)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertEqual(result.stdout, """
            crucible-sh 0.1.0: <TMP>/fail.crucible
            [local] changed ensure-line (<TMP>/fail.crucible:3:3)
            [local] exports written
            [local] changed run (<TMP>/fail.crucible:5:12)
            [local] the command said 42, on stderr note
            [local] failed  run (<TMP>/fail.crucible:9:3)
                $ echo partial work; echo disk full >&2; exit 3
                exit status 3
                stdout:
                  partial work
                stderr:
                  disk full
            RECAP
            host     ok  changed  failed  unreachable
            local     0        2       1            0
              run at <TMP>/fail.crucible:9:3: run echo partial work; echo disk full >&2; exit 3 failed (exit status 3): disk full

            """)
        XCTAssertEqual(result.stderr, "")
    }

    func testAFailingCommandShowsOnlyTheEndOfALongOutput() throws {
        let recipe = try write("long.crucible", """
            param dir: string
            on "local" {
              run "seq 1 25; exit 1" # crucible: allow W-run-always
            }
            """)
        let result = try runRecipe(recipe)
        XCTAssertEqual(result.status, 1, result.output)
        let lines = (6...25).map { "      \($0)" }.joined(separator: "\n")
        XCTAssertTrue(result.stdout.contains("""
                $ seq 1 25; exit 1
                exit status 1
                stdout (last 20 of 25 lines):
            \(lines)
            RECAP
            """), result.stdout)
    }

    func testVerboseShowsEveryCommandWithWhatItPrinted() throws {
        let recipe = try write("verbose.crucible", """
            param dir: string
            on "local" {
              ensure-line "${dir}/exports" "/srv *(ro)" create: true
              run "echo done; echo a warning >&2" creates: "${dir}/never"
              run "true" creates: "${dir}/exports"
            }
            """)
        let result = try runRecipe(recipe, ["-v"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.stdout, """
            crucible-sh 0.1.0: <TMP>/verbose.crucible
            [local] start block at <TMP>/verbose.crucible:2:1
            [local] changed ensure-line (<TMP>/verbose.crucible:3:3)
                --- /dev/null
                +++ <TMP>/exports
                @@ -0,0 +1 @@
                +/srv *(ro)
            [local] changed run (<TMP>/verbose.crucible:4:3)
                $ echo done; echo a warning >&2
                  stdout:
                    done
                  stderr:
                    a warning
            [local] ok      run (<TMP>/verbose.crucible:5:3): <TMP>/exports exists
            RECAP
            host     ok  changed  failed  unreachable
            local     1        2       0            0

            """)
    }

    func testRunResultsInCheckModeAndWhenAGuardSkipsTheCommand() throws {
        let recipe = try write("results.crucible", """
            param dir: string
            on "local" {
              let skipped = run "echo hi" creates: dir
              log("skipped: ${skipped.skipped_by} rc=${skipped.rc} out=[${skipped.stdout}]")
              let ran = run "printf 'a\\nb\\n'" # crucible: allow W-run-always
              log("lines: ${len(split(ran.stdout, separator: "\\n"))} rc=${ran.rc}")
            }
            """)
        let check = try runRecipe(recipe, ["--check"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.stdout.contains("[local] skipped: creates rc=none out=[]\n"), check.stdout)
        XCTAssertTrue(check.stdout.contains("[local] lines: 1 rc=none\n"), "check mode runs nothing:\n\(check.stdout)")
        let real = try runRecipe(recipe)
        XCTAssertEqual(real.status, 0, real.output)
        XCTAssertTrue(real.stdout.contains("[local] lines: 2 rc=0\n"), real.stdout)
    }

    func testColorAlwaysPaintsAPipeAndNeverPaintsNothing() throws {
        let recipe = try write("color.crucible", """
            param dir: string
            on "local" { ensure-line "${dir}/colored" "x" create: true }
            """)
        let always = try runRecipe(recipe, ["--color=always", "--check"])
        XCTAssertTrue(always.stdout.contains("[local] \u{1B}[33mchanged\u{1B}[0m ensure-line"), always.stdout)
        XCTAssertTrue(always.stdout.contains("\u{1B}[32m+x\u{1B}[0m"), always.stdout)
        let never = try runRecipe(recipe, ["--color", "never", "--check"])
        XCTAssertFalse(never.stdout.contains("\u{1B}["), never.stdout)
        let bad = try runRecipe(recipe, ["--color=sometimes"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("'auto', 'always' or 'never'"), bad.stderr)
    }

    // MARK: - JSON

    func jsonObject(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testJSONHasVersionsCountsOutputTimingsAndLogLinesInOrder() throws {
        let recipe = try write("fail.crucible", Self.failing.replacingOccurrences(of: "exports\" \"/srv *(ro)\" create: true", with: """
            exports" "/srv *(ro)" create: true
              run "sleep 0.3"
            """))
        let result = try runRecipe(recipe, ["--json"])
        XCTAssertEqual(result.status, 1, result.output)
        let report = try jsonObject(result.stdout)
        XCTAssertEqual(report["formatVersion"] as? Int, 1)
        XCTAssertEqual(report["crucibleVersion"] as? String, "0.1.0")
        XCTAssertEqual(report["succeeded"] as? Bool, false)
        let host = try XCTUnwrap((report["hosts"] as? [[String: Any]])?.first)
        XCTAssertEqual(host["counts"] as? [String: Int], ["ok": 0, "changed": 3, "failed": 1])
        XCTAssertEqual(host["failedAt"] as? String, "<TMP>/fail.crucible:10:3")
        let logs = try XCTUnwrap(host["logs"] as? [[String: Any]])
        XCTAssertEqual(logs.map { $0["message"] as? String }, ["exports written", "the command said 42, on stderr note"])
        XCTAssertEqual(logs.map { $0["afterOps"] as? Int }, [2, 3], "each line after the ops before it")
        let ops = try XCTUnwrap(host["ops"] as? [[String: Any]])
        XCTAssertEqual(ops.map { $0["op"] as? String }, ["ensure-line", "run", "run", "run"])
        let sleep = ops[1]
        XCTAssertGreaterThanOrEqual(sleep["milliseconds"] as? Int ?? 0, 250, "a batched command's time is its own: \(sleep)")
        let failed = try XCTUnwrap((ops[3]["output"] as? [[String: Any]])?.last)
        XCTAssertEqual(failed["status"] as? Int, 3)
        XCTAssertEqual(failed["stdout"] as? String, "partial work\n")
        XCTAssertEqual(failed["stderr"] as? String, "disk full\n")
        XCTAssertEqual(report["warnings"] as? [String],
                       ["<TMP>/fail.crucible:4:3: warning: `run` without `creates:` or `unless:` runs every time and is always reported changed"],
                       "the checker's warnings are in the report")
    }

    func testJSONErrorObjectForRecipeAndUsageErrors() throws {
        let bad = try write("bad.crucible", """
            param dir: string
            on "local" { ensure-lin "/tmp/x" "y" }
            """)
        let recipeError = try runRecipe(bad, ["--json"])
        XCTAssertEqual(recipeError.status, 2)
        let report = try jsonObject(recipeError.stdout)
        XCTAssertEqual(report["formatVersion"] as? Int, 1)
        let error = try XCTUnwrap(report["error"] as? [String: Any])
        XCTAssertEqual(error["kind"] as? String, "recipe")
        XCTAssertEqual(error["message"] as? String, "1 error in <TMP>/bad.crucible; no host was contacted")
        let diagnostics = try XCTUnwrap(error["diagnostics"] as? [[String: Any]])
        XCTAssertEqual(diagnostics.map { $0["id"] as? String }, ["W-unused", "E-unknown-op"])
        XCTAssertEqual(diagnostics.last?["line"] as? Int, 2)
        XCTAssertTrue(recipeError.stderr.contains("did you mean `ensure-line`?"), "the diagnostics still go to stderr")

        let usage = try CrucibleProcess.run(["run", bad, "--json", "--forks", "many"])
        XCTAssertEqual(usage.status, 2)
        let usageError = try XCTUnwrap(try jsonObject(usage.stdout)["error"] as? [String: Any])
        XCTAssertEqual(usageError["kind"] as? String, "usage")
        XCTAssertTrue((usageError["message"] as? String ?? "").contains("--forks"), "\(usageError)")

        let missing = try CrucibleProcess.run(["run", "no-such-recipe", "--json"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual((try jsonObject(missing.stdout)["error"] as? [String: Any])?["kind"] as? String, "recipe")
    }
}

/// Small CLI contracts: `--version`, and `recipes show` with a misspelt name.
final class CLINamesTests: XCTestCase {
    func testVersionNamesTheProgram() throws {
        let result = try CrucibleProcess.run(["--version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, "crucible-sh 0.1.0\n")
    }

    func testRecipesShowSuggestsTheClosestName() throws {
        let result = try CrucibleProcess.run(["recipes", "show", "live-migraton"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, """
            error: no bundled recipe `live-migraton`; did you mean `live-migration`?
            bundled recipes: live-migration

            """)
    }
}
