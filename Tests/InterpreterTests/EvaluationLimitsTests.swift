import DSL
import Interpreter
import Stdlib
import XCTest

/// Recipes that would run forever or grow without end stop with an error at their place:
/// the limits of `EvaluationLimits`, set small here so each case is quick.
final class EvaluationLimitsTests: XCTestCase {
    func run(_ text: String, limits: (inout EvaluationLimits) -> Void) async throws -> (error: String?, logs: [String]) {
        let file = SourceFile(name: "limits.crucible", text: text)
        let (program, syntax) = Parser.parse(file)
        var checker = Checker(ops: Stdlib.all, inputs: [], requireParamValues: false)
        let diagnostics = syntax + checker.check(program)
        XCTAssertFalse(diagnostics.hasErrors, "\(diagnostics)")
        var options = RunOptions()
        limits(&options.limits)
        let logs = CollectedLogs()
        let report = await Evaluator(ops: Stdlib.all, paramValues: checker.paramValues,
                                     transports: { LocalTransport(target: $0) }, options: options, observer: logs).run(program)
        return (report.error, logs.lines)
    }

    func testLoopIterationsAndCallsAreCountedForTheWholeRun() async throws {
        let loops = try await run("for i in range(0, 100) {\n  for j in range(0, 100) { let k = j }\n}\nlog(\"done\")\n") { $0.maxSteps = 5000 }
        XCTAssertEqual(loops.logs, [])
        XCTAssertTrue(loops.error?.contains("limits.crucible:2:3: error: the run went past 5000 loop iterations and function calls") == true,
                      loops.error ?? "no error")
        let recursion = "fn f(n) {\n  if n > 0 {\n    f(n - 1)\n    f(n - 1)\n  }\n}\nf(30)\n"
        let calls = try await run(recursion) { $0.maxSteps = 5000 }
        XCTAssertTrue(calls.error?.contains("past 5000 loop iterations and function calls") == true, calls.error ?? "no error")
        let within = try await run("for i in range(0, 100) { let k = i }\nlog(\"done\")\n") { $0.maxSteps = 5000 }
        XCTAssertNil(within.error)
        XCTAssertEqual(within.logs, ["done"])
    }

    func testTheTopLevelHasATimeLimit() async throws {
        // 2^40 calls: only the clock stops it (the step limit is lifted).
        let recursion = "fn f(n) {\n  if n > 0 {\n    f(n - 1)\n    f(n - 1)\n  }\n}\nf(40)\n"
        let result = try await run(recursion) { $0.maxSteps = .max; $0.maxTopLevelSeconds = 1 }
        XCTAssertTrue(result.error?.contains("the recipe's top level computed for more than 1 s") == true, result.error ?? "no error")
    }

    func testStringsAndListsHaveASizeLimit() async throws {
        let doubling = try await run("let s = \"ab\"\nfor i in range(0, 20) { s = s + s }\n") { $0.maxStringBytes = 1000 }
        XCTAssertTrue(doubling.error?.contains("limits.crucible:2:31: error: this string would be 1024 bytes long, past the limit of 1000") == true,
                      doubling.error ?? "no error")
        let interpolated = try await run("let s = \"ab\"\nfor i in range(0, 20) { s = \"${s}${s}\" }\n") { $0.maxStringBytes = 1000 }
        XCTAssertTrue(interpolated.error?.contains("this string would be 1024 bytes long") == true, interpolated.error ?? "no error")
        let replaced = try await run("let s = replace(\"aaaa\", \"a\", \"aaaaaaaaaa\")\nlet t = replace(s, \"a\", \"aaaaaaaaaa\")\nlet u = replace(t, \"a\", \"aaaaaaaaaa\")\n") {
            $0.maxStringBytes = 1000
        }
        XCTAssertTrue(replaced.error?.contains("limits.crucible:3:9: error: this string would be 4000 bytes long") == true, replaced.error ?? "no error")
        let list = try await run("let xs = [1]\nfor i in range(0, 20) { xs = xs + xs }\n") { $0.maxListItems = 100 }
        XCTAssertTrue(list.error?.contains("this list would hold 128 items, past the limit of 100") == true, list.error ?? "no error")
        // Nested lists share their items: a few bytes of values for a text of 2^40 items.
        let shared = try await run("fn twice(x) { return [x, x] }\nlet xs = [1]\nfor i in range(0, 40) { xs = twice(xs) }\nlog(xs)\n") { $0.maxStringBytes = 1000 }
        XCTAssertTrue(shared.error?.contains("limits.crucible:4:5: error: this string would be") == true, shared.error ?? "no error")
    }
}
