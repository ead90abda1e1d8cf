import Foundation
@testable import Interpreter
import TestSupport
import XCTest

/// The shell scripts crucible runs on hosts live as files (Sources/*/HostScripts/*.sh) and
/// reach the binary through scripts/gen-host-scripts: the generated Swift must be what the
/// files say, and every file must pass shellcheck for POSIX sh (the hosts' /bin/sh can be
/// RHEL 6's, with coreutils and nothing more).
final class HostScriptsTests: XCTestCase {
    /// This file is Tests/InterpreterTests/HostScriptsTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every host script, by path from the repository root.
    func scripts() throws -> [String] {
        let sources = Self.root.appendingPathComponent("Sources")
        var found: [String] = []
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            let folder = sources.appendingPathComponent(target).appendingPathComponent("HostScripts")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            found += names.filter { $0.hasSuffix(".sh") }.sorted().map { "Sources/\(target)/HostScripts/\($0)" }
        }
        return found
    }

    func testGeneratedSwiftMatchesTheScripts() throws {
        let result = try Subprocess.run(Self.root.appendingPathComponent("scripts/gen-host-scripts").path, ["--check"])
        XCTAssertEqual(result.status, 0, "regenerating gives other bytes: \(result.output)")
    }

    func testEveryScriptPassesShellcheckForPOSIXsh() throws {
        let scripts = try scripts()
        XCTAssertTrue(scripts.contains("Sources/HostIO/HostScripts/atomic-write.sh"), "\(scripts)")
        XCTAssertTrue(scripts.contains("Sources/Stdlib/HostScripts/user-key-file.sh"), "\(scripts)")
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let shellcheck = try XCTUnwrap(path.split(separator: ":").map { "\($0)/shellcheck" }.first { FileManager.default.isExecutableFile(atPath: $0) },
                                       "shellcheck is not installed (scripts/install-deps installs it)")
        let paths = scripts.map { Self.root.appendingPathComponent($0).path }
        let result = try Subprocess.run(shellcheck, ["-s", "sh", "-f", "gcc"] + paths)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output, "")
    }

    /// A script's header comment and its shellcheck directives are for readers of the file:
    /// the bytes sent to the host, on every exec, are the script alone.
    func testCommentsForReadersDoNotReachTheHost() {
        XCTAssertFalse(AtomicWrite.script.contains("shellcheck"))
        XCTAssertFalse(ApplyBatch([.run(command: "true", summary: "true", timeout: 5)]).command.contains("shellcheck"))
        XCTAssertTrue(PathCheck.function.hasPrefix("crucible_ids() {\n"), PathCheck.function)
        XCTAssertTrue(CommandStop.script.hasPrefix("read -r s </proc/"), CommandStop.script)
        // The units HostFacts looks for are filled in.
        XCTAssertFalse(HostFacts.gatherScript.contains("UNITS"))
        XCTAssertTrue(HostFacts.gatherScript.contains("for u in nfs-idmapd "), HostFacts.gatherScript)
    }
}
