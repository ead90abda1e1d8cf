import Foundation
import XCTest
import Interpreter
@testable import SSH

/// Base for tests against a real sshd (`TestSSHD`): one fresh server per test, a home
/// folder with nothing in it (so the machine's own ~/.ssh never leaks in), and helpers
/// to build transports and catch their errors.
class SSHTestCase: XCTestCase {
    var sshd: TestSSHD!
    var home: String!
    var passwordAuthentication: Bool { false }
    /// More sshd_config lines for a test class's server.
    var extraConfig: String { "" }

    override func setUpWithError() throws {
        sshd = try TestSSHD(name: "sshd-" + UUID().uuidString.prefix(8).lowercased(), passwordAuthentication: passwordAuthentication,
                              extraConfig: extraConfig)
        home = sshd.dir + "/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    override func tearDown() {
        sshd?.stop()
        if let dir = sshd?.dir { try? FileManager.default.removeItem(atPath: dir) }
        sshd = nil
    }

    var target: HostTarget { HostTarget(user: "root", address: "127.0.0.1", port: sshd.port) }

    func options(
        identityFiles: [String]? = nil, knownHosts: String? = nil, acceptNew: Bool = false,
        secrets: any SecretSource = EnvironmentSecretSource(environment: [:]),
        become: Bool = false, sshConfig: String? = nil, connectTimeout: Double = 10
    ) -> SSHOptions {
        SSHOptions(
            identityFiles: identityFiles ?? [sshd.keys.ed25519], knownHostsFile: knownHosts ?? sshd.knownHosts,
            acceptNewHostKeys: acceptNew, secrets: secrets, become: become, connectTimeout: connectTimeout,
            sshConfigPath: sshConfig, useAgent: false, home: home
        )
    }

    func transport(_ options: SSHOptions? = nil, target: HostTarget? = nil) -> SSHTransport {
        SSHTransport(target: target ?? self.target, options: options ?? self.options())
    }

    /// The `TransportError` an operation throws; fails the test when it succeeds or
    /// throws something else.
    func transportError(
        file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void
    ) async -> TransportError? {
        do {
            try await body()
            XCTFail("expected a TransportError, but it succeeded", file: file, line: line)
        } catch let error as TransportError {
            return error
        } catch {
            XCTFail("expected a TransportError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func message(_ error: TransportError?) -> String {
        switch error {
        case .hostKey(_, let message)?, .authentication(_, let message)?, .io(_, let message)?: return message
        case .unreachable(_, let reason)?, .disconnected(_, let reason)?: return reason
        case let other?: return other.description
        case nil: return ""
        }
    }
}
