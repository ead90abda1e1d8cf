import XCTest
import CLibSSH2
import Interpreter
@testable import SSH

/// How libssh2 failures become the public `TransportError`, and what crucible reads from
/// key files before trying them (no server needed).
final class SSHErrorTests: XCTestCase {
    func testLostConnectionIsUnreachableWhileConnectingAndDisconnectedAfter() {
        let lost = SSHError(LIBSSH2_ERROR_SOCKET_DISCONNECT, "The socket was disconnected")
        XCTAssertEqual(lost.name, "LIBSSH2_ERROR_SOCKET_DISCONNECT")
        guard case .unreachable(let host, _) = TransportError.from(lost, host: "web1", stage: .connecting) else {
            return XCTFail("expected unreachable")
        }
        XCTAssertEqual(host, "web1")
        XCTAssertEqual(TransportError.from(lost, host: "web1", stage: .connected),
                       .disconnected(host: "web1", reason: "The socket was disconnected (LIBSSH2_ERROR_SOCKET_DISCONNECT)"))
    }

    func testOtherFailuresKeepTheirKind() {
        XCTAssertEqual(TransportError.from(StepTimedOut(what: "command", seconds: 5), host: "h", stage: .connected),
                       .timeout(host: "h", what: "command", seconds: 5))
        XCTAssertEqual(TransportError.from(ConnectFailure.hostKey("changed"), host: "h", stage: .connecting),
                       .hostKey(host: "h", message: "changed"))
        XCTAssertEqual(TransportError.from(SSHError(LIBSSH2_ERROR_CHANNEL_FAILURE, "no channel"), host: "h", stage: .connected),
                       .io(host: "h", message: "no channel (LIBSSH2_ERROR_CHANNEL_FAILURE)"))
        XCTAssertEqual(SSHError(-999, "odd").name, "LIBSSH2_ERROR_-999")
    }

    func testKeyFilesAreRecognisedWithoutDecrypting() throws {
        let keys = try ClientKeys.shared()
        let cases: [(String, PrivateKeyFile.Algorithm, Bool)] = [
            (keys.ed25519, .ed25519, false), (keys.ecdsa, .ecdsa, false), (keys.rsa, .rsa, false), (keys.encrypted, .ed25519, true),
        ]
        for (path, algorithm, encrypted) in cases {
            let key = try XCTUnwrap(PrivateKeyFile(path: path), path)
            XCTAssertEqual(key.algorithm, algorithm, path)
            XCTAssertEqual(key.isEncrypted, encrypted, path)
        }
        XCTAssertNil(PrivateKeyFile(path: keys.dir + "/missing"))
    }
}
