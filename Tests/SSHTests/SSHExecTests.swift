import Foundation
import XCTest
import Interpreter
@testable import SSH

/// Commands over one real SSH session: output streams, exit codes, stdin, big outputs,
/// signals, timeouts, become.
final class SSHExecTests: SSHTestCase {
    func testStdoutStderrAndExitStatusAreSeparate() async throws {
        let ssh = transport()
        let result = try await ssh.run("echo out; echo err >&2; exit 7")
        XCTAssertEqual(result.stdoutText, "out\n")
        XCTAssertEqual(result.stderrText, "err\n")
        XCTAssertEqual(result.status, 7)
        let ok = try await ssh.run("true")
        XCTAssertEqual(ok.status, 0)
        XCTAssertTrue(ok.stdout.isEmpty)
    }

    func testTenMegabytesOnBothStreamsDoNotDeadlock() async throws {
        let ssh = transport()
        let tenMiB = 10 * 1024 * 1024
        let result = try await ssh.run("head -c \(tenMiB) /dev/zero | tr '\\0' a & head -c \(tenMiB) /dev/zero | tr '\\0' b >&2; wait")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout.count, tenMiB)
        XCTAssertEqual(result.stderr.count, tenMiB)
        XCTAssertTrue(result.stdout.allSatisfy { $0 == UInt8(ascii: "a") })
        XCTAssertTrue(result.stderr.allSatisfy { $0 == UInt8(ascii: "b") })
    }

    func testStdinIsWrittenThenClosed() async throws {
        let ssh = transport()
        let counted = try await ssh.run("wc -c", stdin: Array("hello\n".utf8), timeout: 30)
        XCTAssertEqual(counted.stdoutText.trimmed, "6")
        // Echoing 5 MiB back needs stdin writes and stdout reads interleaved.
        let input = (0..<(5 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let echoed = try await ssh.run("cat", stdin: input, timeout: 60)
        XCTAssertEqual(echoed.stdout.count, input.count)
        XCTAssertTrue(echoed.stdout == input)
        let noStdin = try await ssh.run("cat")
        XCTAssertEqual(noStdin.status, 0, "no stdin means an immediate EOF, not a hang")
    }

    func testACommandThatIgnoresItsStdinStillFinishes() async throws {
        let result = try await transport().run("exit 0", stdin: [UInt8](repeating: 1, count: 8 * 1024 * 1024), timeout: 30)
        XCTAssertEqual(result.status, 0)
    }

    func testKilledCommandReportsTheSignalAsShellStatus() async throws {
        let result = try await transport().run("kill -TERM $$")
        XCTAssertEqual(result.status, 128 + 15)
    }

    func testCommandTimeoutIsATimeoutError() async throws {
        let ssh = transport()
        let error = await transportError { _ = try await ssh.run("sleep 20", stdin: nil, timeout: 1) }
        guard case .timeout(_, let what, let seconds)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertEqual(what, "command")
        XCTAssertEqual(seconds, 1)
    }

    func testBecomeWrapsTheCommandInSudoWithoutAPrompt() {
        let wrapped = BecomeCommand.wrap(#"echo "it's $((1 + 1))" "$HOME""#)
        XCTAssertEqual(wrapped, #"sudo -n sh -c 'echo "it'\''s $((1 + 1))" "$HOME"'"#)
    }

    func testBecomeRunsCommandsAndFileWritesThroughSudoForANonRootLogin() async throws {
        // The fake sudo in the server's namespace records its arguments and runs them.
        let target = HostTarget(user: TestSSHD.plainUser, address: "127.0.0.1", port: sshd.port)
        let ssh = transport(options(become: true), target: target)
        let result = try await ssh.run(#"echo "it's $((1 + 1))" $(id -un)"#)
        XCTAssertEqual(result.stdoutText, "it's 2 crucible\n")
        let path = sshd.plainUserHome + "/written by become"
        try await ssh.writeFile(path, contents: Array("via sudo\n".utf8), options: WriteOptions())
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "via sudo\n")
        let calls = try String(contentsOfFile: sshd.sudoLog, encoding: .utf8).split(separator: "\u{1e}")
        XCTAssertEqual(calls.count, 2)
        // Each command first prints its shell's pid (CommandPid: Ctrl-C stops the command
        // from it), inside sudo, so that the pid is the one of the shell sudo started.
        let first = String(calls.first ?? "")
        XCTAssertTrue(first.hasPrefix(#"-n|sh|-c|printf '%s %s\n' crucible-pid-"#), first)
        XCTAssertTrue(first.hasSuffix(#" "$$" >&2"# + "\n" + #"echo "it's $((1 + 1))" $(id -un)|"#), first)
        XCTAssertTrue(calls.last?.contains(">&2\n/bin/sh -c ") == true, String(calls.last ?? ""))
    }

    func testSudoAskingForAPasswordFailsTheHostWithAClearMessage() async throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: sshd.sudoNeedsPassword, contents: nil))
        let target = HostTarget(user: TestSSHD.plainUser, address: "127.0.0.1", port: sshd.port)
        let ssh = transport(options(become: true), target: target)
        let error = await transportError { _ = try await ssh.run("true") }
        guard case .authentication(_, let message)? = error else { return XCTFail("got \(String(describing: error))") }
        XCTAssertTrue(message.contains("sudo asks crucible for a password"), message)
        XCTAssertTrue(message.contains("NOPASSWD"), message)
        let plain = try await transport(options(become: false), target: target).run("sudo -n true")
        XCTAssertEqual(plain.status, 1, "without become a failing sudo is just a failing command")
    }

    func testBecomeIsSkippedForARootLogin() async throws {
        let result = try await transport(options(become: true)).run("id -u")
        XCTAssertEqual(result.stdoutText, "0\n")
        XCTAssertEqual(try String(contentsOfFile: sshd.sudoLog, encoding: .utf8), "", "root needs no sudo")
    }
}
