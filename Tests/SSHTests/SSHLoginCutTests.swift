import Foundation
import XCTest
import Interpreter
@testable import SSH

/// sshd dying in the middle of a login is the host being unreachable, not a refused key.
/// The server here really dies mid-login: its AuthorizedKeysCommand, which sshd runs while
/// checking the offered key, kills the sshd process serving the connection.
final class SSHLoginCutTests: SSHTestCase {
    /// sshd runs the command only if it and every folder above it are root's and writable by
    /// no one else: not under /tmp.
    static let folder = "/run/crucible-ssh-tests"
    static let killer = folder + "/kill-login-server.sh"

    override var extraConfig: String {
        try? FileManager.default.createDirectory(atPath: Self.folder, withIntermediateDirectories: true)
        chmod(Self.folder, 0o755)
        try? "#!/bin/sh\nkill -9 $PPID\n".write(toFile: Self.killer, atomically: true, encoding: .utf8)
        chmod(Self.killer, 0o755)
        // No authorized_keys file, so the command is what checks the key.
        return "AuthorizedKeysFile none\nAuthorizedKeysCommand \(Self.killer)\nAuthorizedKeysCommandUser root\n"
    }

    func testServerKilledDuringLoginIsUnreachableNotAnAuthenticationFailure() async throws {
        let error = await transportError { try await self.transport().connect() }
        guard case .unreachable(let host, let reason)? = error else {
            let log = (try? String(contentsOfFile: sshd.log, encoding: .utf8)) ?? ""
            return XCTFail("expected unreachable, got \(String(describing: error)); sshd said: \(log)")
        }
        XCTAssertEqual(host, "127.0.0.1")
        XCTAssertTrue(reason.contains("lost while logging in"), reason)
        XCTAssertTrue(error!.isFatalForHost)
    }
}
