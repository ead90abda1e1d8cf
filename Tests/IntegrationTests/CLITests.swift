import Foundation
import XCTest

/// The CLI contract, tested on the whole process: exit statuses, output, and what a run
/// does to real files on the local transport.
final class CLITests: XCTestCase {
    var tmp: URL!

    override func setUpWithError() throws {
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: tmp)
    }

    /// Runs on this machine take a lock of their own, not the machine's /var/lock one (the
    /// lock's private directory: the lock and the follow-ups journal `pending` are in it).
    var lockPath: String { tmp.appendingPathComponent("crucible.lock").path }

    func write(_ name: String, _ text: String) throws -> String {
        let path = tmp.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func bytes(_ name: String) -> Data? {
        FileManager.default.contents(atPath: tmp.appendingPathComponent(name).path)
    }

    static let localRecipe = """
        param dir: string
        on "local" {
          ensure-line "${dir}/exports" "/var/lib/nova/instances *(rw,sync,fsid=0,no_root_squash)"
          let conf = edit-ini "${dir}/libvirtd.conf" {
            listen_tls = 0
            listen_tcp = 1
            auth_tcp = "\\"none\\""
          }
          if conf.changed { log("libvirtd.conf changed") }
        }
        """

    func seedLocalFiles() throws {
        let fixture = CrucibleProcess.repoRoot.appendingPathComponent("Tests/Fixtures/rhel7/etc/libvirt/libvirtd.conf")
        try FileManager.default.copyItem(at: fixture, to: tmp.appendingPathComponent("libvirtd.conf"))
        _ = try write("exports", "")
    }

    func testRunChangesThenConvergesAndCheckModeTouchesNothing() throws {
        try seedLocalFiles()
        let recipe = try write("local.crucible", Self.localRecipe)
        let stockConf = bytes("libvirtd.conf")

        let check = try CrucibleProcess.run(["run", recipe, "--set", "dir=\(tmp.path)", "--lock-path", lockPath, "--check"])
        XCTAssertEqual(check.status, 0, check.output)
        XCTAssertTrue(check.stdout.contains("+listen_tcp = 1"), "check mode shows the diff:\n\(check.stdout)")
        XCTAssertEqual(bytes("libvirtd.conf"), stockConf, "check mode changed no byte")
        XCTAssertEqual(bytes("exports"), Data(), "check mode changed no byte")
        XCTAssertNil(bytes("libvirtd.conf.crucible~"), "check mode wrote no backup")

        let first = try CrucibleProcess.run(["run", recipe, "--set", "dir=\(tmp.path)", "--lock-path", lockPath, "--json"])
        XCTAssertEqual(first.status, 0, first.output)
        let firstReport = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        let ops = ((firstReport?["hosts"] as? [[String: Any]])?.first?["ops"] as? [[String: Any]]) ?? []
        XCTAssertEqual(ops.map { $0["status"] as? String }, ["changed", "changed"])
        XCTAssertTrue((ops[1]["diff"] as? String ?? "").contains("+auth_tcp = \"none\""))
        XCTAssertEqual(String(decoding: bytes("exports") ?? Data(), as: UTF8.self),
                       "/var/lib/nova/instances *(rw,sync,fsid=0,no_root_squash)\n")
        XCTAssertEqual(bytes("libvirtd.conf.crucible~"), stockConf, "the backup holds the previous version")

        let second = try CrucibleProcess.run(["run", recipe, "--set", "dir=\(tmp.path)", "--lock-path", lockPath])
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertFalse(second.stdout.contains("[local] changed"), "second run changes nothing:\n\(second.stdout)")
        XCTAssertTrue(second.stdout.contains("local     2        0       0            0"), second.stdout)
    }

    func testRollbackOnFailureRestoresEveryFileTheRunChanged() throws {
        try seedLocalFiles()
        let stockConf = bytes("libvirtd.conf")
        let recipe = try write("fails.crucible", Self.localRecipe.replacingOccurrences(of: """
              if conf.changed { log("libvirtd.conf changed") }
            """, with: """
              file "${dir}/new.conf" content: "created by this run\\n"
              run "exit 7"
            """))
        let result = try CrucibleProcess.run(["run", recipe, "--set", "dir=\(tmp.path)", "--lock-path", lockPath, "--rollback-on-failure", "--json"])
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertEqual(bytes("libvirtd.conf"), stockConf, "libvirtd.conf is back to its bytes before the run")
        XCTAssertEqual(bytes("exports"), Data(), "exports is back to empty")
        XCTAssertNil(bytes("new.conf"), "a file the run created is removed")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let host = (report?["hosts"] as? [[String: Any]])?.first
        let rolledBack = host?["rolledBack"] as? [String] ?? []
        XCTAssertEqual(rolledBack.count, 3, "\(rolledBack)")
        XCTAssertTrue(rolledBack.contains { $0.hasPrefix("removed ") && $0.contains("new.conf") }, "\(rolledBack)")
        XCTAssertTrue(rolledBack.contains { $0.hasPrefix("restored ") && $0.contains("libvirtd.conf") }, "\(rolledBack)")
        XCTAssertEqual(host?["status"] as? String, "failed")
    }

    /// A run that changes a config and stops before the restart that depends on it (here the
    /// restart fails; a dropped connection or a killed run leaves the same state): the next
    /// run finds the config already right, yet still restarts, because the first run recorded
    /// the change beside the lock. Once a run gets through, the record is gone.
    func testAFollowUpACutRunNeverReachedRunsOnTheNextRun() throws {
        let recipe = try write("follow-up.crucible", """
            param dir: string
            on "local" {
              let conf = ensure-line "${dir}/service.conf" "port = 8080" create: true
              if conf.changed {
                run "test -e ${quote(dir)}/allowed && echo restarted >> ${quote(dir)}/restarts"
              }
            }
            """)
        let arguments = ["run", recipe, "--set", "dir=\(tmp.path)", "--lock-path", lockPath, "--json"]
        let cut = try CrucibleProcess.run(arguments)
        XCTAssertEqual(cut.status, 1, "the restart fails the first time: \(cut.output)")
        XCTAssertEqual(String(decoding: bytes("service.conf") ?? Data(), as: UTF8.self), "port = 8080\n", "the config change was made")
        XCTAssertNil(bytes("restarts"), "and the restart was not")
        let pending = String(decoding: FileManager.default.contents(atPath: lockPath + "/pending") ?? Data(), as: UTF8.self)
        XCTAssertTrue(pending.contains("follow-up.crucible:3:"), "the change is recorded in the lock's directory: \(pending)")

        _ = try write("allowed", "")
        let again = try CrucibleProcess.run(arguments)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(String(decoding: bytes("restarts") ?? Data(), as: UTF8.self), "restarted\n", "the re-run restarted")
        XCTAssertTrue(again.stdout.contains("stopped before its end"), "and says why: \(again.stdout)")
        XCTAssertNil(FileManager.default.contents(atPath: lockPath + "/pending"), "nothing is pending once a run got through")

        let third = try CrucibleProcess.run(arguments)
        XCTAssertEqual(third.status, 0, third.output)
        XCTAssertEqual(String(decoding: bytes("restarts") ?? Data(), as: UTF8.self), "restarted\n", "no restart without a change")
    }

    func testLintReportsEveryMistakeAndExits2() throws {
        let recipe = try write("bad.crucible", """
            param target: host
            on target {
              ensure-lin "/etc/hosts" "127.0.0.1 localhost"
              edit-ini "/etc/x" { a = 1 } sektion: "x"
            }
            if len(42) > 1 { log("x") }
            """)
        let result = try CrucibleProcess.run(["lint", recipe])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("bad.crucible:3:3: error: unknown operation or function `ensure-lin`"), result.stderr)
        XCTAssertTrue(result.stderr.contains("did you mean `ensure-line`?"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bad.crucible:6:8: error: `len` expects"), result.stderr)
        XCTAssertTrue(result.stderr.contains("bad.crucible:4:31: error: `sektion:` comes after the `{ ... }` block of `edit-ini`"), result.stderr)
        XCTAssertTrue(result.stderr.contains("3 errors"), result.stderr)
    }

    func testRunWithRecipeErrorContactsNothing() throws {
        // An unreachable address: if the run tried to connect, it would report it as unreachable.
        let recipe = try write("bad.crucible", """
            param target: host
            on target { ensure-line "/tmp/x" 42 }
            """)
        let result = try CrucibleProcess.run(["run", recipe, "--set", "target=root@127.0.0.1:1"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("no host was contacted"), result.stderr)
        XCTAssertFalse(result.output.contains("unreachable"))
    }

    func testMissingAndMalformedParamsOfTheBundledRecipe() throws {
        let missing = try CrucibleProcess.run(["run", "live-migration"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("no value for the required param `controller`"), missing.stderr)

        let malformed = try CrucibleProcess.run(["run", "live-migration", "--set", "controller=root@10.0.0.1", "--set", "computes="])
        XCTAssertEqual(malformed.status, 2)
        XCTAssertTrue(malformed.stderr.contains("param `computes`"), malformed.stderr)

        let badHost = try CrucibleProcess.run(["run", "live-migration", "--set", "controller=root@10.0.0.1:99999"])
        XCTAssertEqual(badHost.status, 2)
        XCTAssertTrue(badHost.stderr.contains("is not a port number"), badHost.stderr)
    }

    func testOpsListsEveryOpAndShowsOne() throws {
        let list = try CrucibleProcess.run(["ops"])
        XCTAssertEqual(list.status, 0)
        for op in ["ensure-line", "edit-ini", "open-port", "service", "detect-nfs", "hosts-entry", "fstab", "mount",
                   "selinux-boolean", "file", "directory", "systemd-dropin", "run", "authorized-key"] {
            XCTAssertTrue(list.stdout.contains("\n  \(op) "), "ops lists \(op)")
        }
        let one = try CrucibleProcess.run(["ops", "edit-ini"])
        XCTAssertEqual(one.status, 0)
        XCTAssertTrue(one.stdout.contains("Parameters:"))
        XCTAssertTrue(one.stdout.contains("section"))
        XCTAssertTrue(one.stdout.contains("Examples:"))
        let unknown = try CrucibleProcess.run(["ops", "edit-in"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.stderr.contains("did you mean `edit-ini`?"))
    }

    func testRecipesListAndShow() throws {
        let list = try CrucibleProcess.run(["recipes"])
        XCTAssertTrue(list.stdout.contains("live-migration"))
        let show = try CrucibleProcess.run(["recipes", "show", "live-migration"])
        let source = try String(contentsOf: CrucibleProcess.repoRoot.appendingPathComponent("recipes/live-migration.crucible"), encoding: .utf8)
        XCTAssertEqual(show.stdout, source, "the bundled recipe is the file in recipes/ (run scripts/gen-bundled-recipes)")
    }

    /// The bundled recipe and every example lint clean with --strict: no warning either (a
    /// warning the recipe means is allowed in a comment there). A params file among the
    /// examples lints with the recipe it is for.
    func testBundledRecipesAndExamplesLintStrictly() throws {
        var recipes = ["live-migration"]
        var paramsFiles: [String] = []
        for folder in ["recipes/examples", "docs/examples"] {
            let examples = CrucibleProcess.repoRoot.appendingPathComponent(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? [] {
                if name.hasSuffix(".crucible") { recipes.append(examples.appendingPathComponent(name).path) }
                if name.hasSuffix(".params") { paramsFiles.append(examples.appendingPathComponent(name).path) }
            }
        }
        let result = try CrucibleProcess.run(["lint", "--strict"] + recipes)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.stderr, "", "no warnings")
        XCTAssertFalse(paramsFiles.isEmpty)
        for file in paramsFiles {
            let withRecipe = try CrucibleProcess.run(["lint", "--strict", "live-migration", "--params", file])
            XCTAssertEqual(withRecipe.status, 0, withRecipe.output)
        }
    }

    func testLintOnAParamsFileSaysSoAndShowsTheCommand() throws {
        let file = "recipes/examples/separate-nfs-server.params"
        let result = try CrucibleProcess.run(["lint", CrucibleProcess.repoRoot.appendingPathComponent(file).path])
        XCTAssertEqual(result.status, 2, result.output)
        XCTAssertTrue(result.stderr.contains("error: `\(CrucibleProcess.repoRoot.path)/\(file)` is a params file, not a recipe"), result.stderr)
        XCTAssertTrue(result.stderr.contains("hint: give it to the recipe it is for: `crucible-sh lint live-migration --params "), result.stderr)
        XCTAssertEqual(result.stderr.components(separatedBy: "error:").count - 1, 1, "one error, not one per line:\n\(result.stderr)")
    }

    func testWarningsAreShownLintPassesAndStrictFails() throws {
        let recipe = FileManager.default.temporaryDirectory.appendingPathComponent("warn-\(UUID().uuidString).crucible")
        try "param unused = 1\nlog(\"hi\")\n".write(to: recipe, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: recipe) }
        let lint = try CrucibleProcess.run(["lint", recipe.path])
        XCTAssertEqual(lint.status, 0, lint.output)
        XCTAssertEqual(lint.stdout, "\(recipe.path): ok (1 warning)\n")
        XCTAssertTrue(lint.stderr.contains("\(recipe.path):1:7: warning: the param `unused` is never used"), lint.stderr)
        let strict = try CrucibleProcess.run(["lint", "--strict", recipe.path])
        XCTAssertEqual(strict.status, 2, strict.output)
        XCTAssertTrue(strict.stderr.contains("\(recipe.path):1:7: error: the param `unused` is never used"), strict.stderr)
        // A run shows the warning once, before it starts, and goes on.
        let run = try CrucibleProcess.run(["run", recipe.path])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(run.stderr.components(separatedBy: "warning: the param `unused` is never used").count - 1, 1, run.stderr)
        XCTAssertTrue(run.stdout.contains("hi"), run.stdout)
    }

    func testListIdsPrintsTheDiagnosticTable() throws {
        let result = try CrucibleProcess.run(["lint", "--list-ids"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.stdout.hasPrefix("| id | meaning |\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("| `W-unused` |"), result.stdout)
    }
}

/// Runs the built crucible-sh binary as a whole process.
enum CrucibleProcess {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["CRUCIBLE_SH"] { return path }
        return repoRoot.appendingPathComponent(".build/debug/crucible-sh").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var output: String { stdout + stderr }
    }

    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

final class DocsTests: XCTestCase {
    func testOpsReferenceIsUpToDate() throws {
        let generated = try CrucibleProcess.run(["ops", "--markdown"])
        XCTAssertEqual(generated.status, 0)
        let committed = try String(contentsOf: CrucibleProcess.repoRoot.appendingPathComponent("docs/ops.md"), encoding: .utf8)
        XCTAssertEqual(generated.stdout, committed, "docs/ops.md is stale: run `.build/debug/crucible-sh ops --markdown > docs/ops.md`")
    }

    func testReadmeTourRecipeLints() throws {
        let readme = try String(contentsOf: CrucibleProcess.repoRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "```\n# Inputs"), let end = readme.range(of: "```\n", range: start.upperBound..<readme.endIndex) else {
            return XCTFail("the README lost its language tour")
        }
        let recipe = FileManager.default.temporaryDirectory.appendingPathComponent("readme-\(UUID().uuidString).crucible")
        try String(readme[readme.index(start.lowerBound, offsetBy: 4)..<end.lowerBound]).write(to: recipe, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: recipe) }
        let result = try CrucibleProcess.run(["lint", recipe.path])
        XCTAssertEqual(result.status, 0, result.output)
    }
}
