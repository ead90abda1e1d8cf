import XCTest
@testable import SSH
import Interpreter

/// The ssh config parser and how a target resolves through it (no server needed).
final class SSHConfigTests: XCTestCase {
    private let text = """
    # comment
    Host web? !web9
        HostName %h.example.com
        User deploy
    Host web*
        User other
        Port 2222
        IdentityFile ~/.ssh/web_key
    Host "db"
    Host db
        HostName = 10.0.0.5
        IdentityFile "/keys/db key"
    Match host anything
        User matched
    Host *
        IdentityFile %d/.ssh/all_%r
        Port 22
    """

    func testFirstValueWinsAndIdentityFilesAccumulate() {
        let settings = SSHConfig(text: text).settings(for: "web1", localUser: "me", home: "/home/me")
        XCTAssertEqual(settings.hostName, "web1.example.com")
        XCTAssertEqual(settings.user, "deploy")
        XCTAssertEqual(settings.port, 2222)
        XCTAssertEqual(settings.identityFiles, ["/home/me/.ssh/web_key", "/home/me/.ssh/all_deploy"])
    }

    func testNegatedPatternExcludesTheBlock() {
        let settings = SSHConfig(text: text).settings(for: "web9", localUser: "me", home: "/h")
        XCTAssertNil(settings.hostName)
        XCTAssertEqual(settings.user, "other")
    }

    func testEqualsSignsQuotesAndMatchBlocks() {
        let settings = SSHConfig(text: text).settings(for: "db", localUser: "me", home: "/h")
        XCTAssertEqual(settings.hostName, "10.0.0.5")
        XCTAssertEqual(settings.user, nil, "Match blocks are not evaluated")
        XCTAssertEqual(settings.identityFiles, ["/keys/db key", "/h/.ssh/all_me"])
        XCTAssertEqual(settings.port, 22)
    }

    func testWildcards() {
        XCTAssertTrue(SSHConfig.wildcard(Array("*.example.*"), Array("a.example.com")))
        XCTAssertTrue(SSHConfig.wildcard(Array("h?st"), Array("HOST")))
        XCTAssertFalse(SSHConfig.wildcard(Array("h?st"), Array("hoost")))
        XCTAssertTrue(SSHConfig.wildcard(Array("*"), Array("")))
    }

    func testTargetValuesWinOverTheConfig() throws {
        let dir = NSTemporaryDirectory() + "crucible-sshconfig-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.replacingAll("Match host anything\n    User matched\n", with: "")
            .write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let options = SSHOptions(identityFiles: ["~/mine"], sshConfigPath: dir + "/config", useAgent: false, home: "/home/me",
                                 sshProgram: nil)
        let endpoint = try SSHEndpoint.resolve(HostTarget(user: "admin", address: "web1", port: 22), options: options, localUser: "me")
        XCTAssertEqual(endpoint.address, "web1.example.com")
        XCTAssertEqual(endpoint.user, "admin")
        XCTAssertEqual(endpoint.port, 22)
        XCTAssertEqual(endpoint.keyFiles.map(\.path), [
            // %r is the user crucible logs in as (the target's), as for `ssh admin@web1`.
            "/home/me/mine", "/home/me/.ssh/web_key", "/home/me/.ssh/all_admin",
            "/home/me/.ssh/id_ed25519", "/home/me/.ssh/id_ecdsa",
        ])
        XCTAssertEqual(endpoint.knownHostsFile, "/home/me/.ssh/known_hosts")
    }
}
