import Foundation
import XCTest

/// `make install` into a temporary prefix, then the installed crucible-sh runs and its man
/// page and completions are where shells and `man` look for them.
///
/// The test installs the debug build with NO_BUILD=1: it runs inside `swift test`, which
/// holds the build directory's lock, so it cannot run `swift build` itself (and a second,
/// release build would cost minutes). The release path differs only in `-c release`.
final class InstallTests: XCTestCase {
    func make(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run("/usr/bin/make", ["-C", CrucibleProcess.repoRoot.path] + arguments)
    }

    func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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

    func testMakeInstallPutsTheBinaryManPageAndCompletionsInPlaceAndUninstallRemovesThem() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-prefix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let install = try make(["install", "PREFIX=\(prefix.path)", "CONFIG=debug", "NO_BUILD=1"])
        XCTAssertEqual(install.status, 0, install.output)

        let binary = prefix.appendingPathComponent("bin/crucible-sh").path
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary))
        let help = try run(binary, ["--help"])
        XCTAssertEqual(help.status, 0, help.output)
        XCTAssertTrue(help.output.contains("fmt"), help.output)
        let version = try run(binary, ["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.output.range(of: #"^crucible-sh \d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, version.output)

        let manPage = try String(contentsOf: prefix.appendingPathComponent("share/man/man1/crucible-sh.1"), encoding: .utf8)
        XCTAssertTrue(manPage.contains(".Sh NAME\n.Nm crucible-sh"), manPage)
        for section in [".Sh ENVIRONMENT", ".It Ev CRUCIBLE_SSH_PASSWORD", ".It Ev CRUCIBLE_KEY_PASSPHRASE", ".It Ev NO_COLOR",
                        ".Sh EXAMPLES", "crucible-sh run live-migration --params site.params"] {
            XCTAssertTrue(manPage.contains(section + "\n"), "the man page has no `\(section)`")
        }
        for command in ["run", "lint", "fmt", "ops", "recipes"] {
            XCTAssertTrue(manPage.contains(".Ss \(command)\n"), "the man page has no section for \(command)")
        }
        let completions = [
            "share/bash-completion/completions/crucible-sh": "complete -o filenames -F",
            "share/zsh/site-functions/_crucible-sh": "#compdef crucible-sh",
            "share/fish/vendor_completions.d/crucible-sh.fish": "complete -c 'crucible-sh'",
        ]
        for (path, marker) in completions {
            let script = try String(contentsOf: prefix.appendingPathComponent(path), encoding: .utf8)
            XCTAssertTrue(script.contains(marker), "\(path) does not look like a completion script")
            XCTAssertTrue(script.contains("fmt"), "\(path) does not complete the fmt subcommand")
        }

        let uninstall = try make(["uninstall", "PREFIX=\(prefix.path)"])
        XCTAssertEqual(uninstall.status, 0, uninstall.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary))
        XCTAssertFalse(FileManager.default.fileExists(atPath: prefix.appendingPathComponent("share/man/man1/crucible-sh.1").path))
    }
}
