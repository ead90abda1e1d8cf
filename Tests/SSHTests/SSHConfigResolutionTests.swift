import Foundation
import XCTest
import CLibSSH2
@testable import SSH
import Interpreter

/// Host aliases resolved as `ssh` resolves them (`ssh -G`, the built-in reader without an
/// OpenSSH client), jump routes, and the options crucible refuses by name (no server needed).
final class SSHConfigResolutionTests: XCTestCase {
    private var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "crucible-resolve-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir + "/home/.ssh/conf.d", withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func options(_ config: String, openSSH: Bool = true, acceptNew: Bool = false) -> SSHOptions {
        SSHOptions(acceptNewHostKeys: acceptNew, sshConfigPath: config, useAgent: false, home: dir + "/home",
                   sshProgram: openSSH ? SSHOptions.installedOpenSSH : nil)
    }

    private func resolve(_ alias: String, _ options: SSHOptions, user: String? = nil) throws -> SSHEndpoint {
        try SSHEndpoint.resolve(HostTarget(user: user, address: alias), options: options, localUser: "me")
    }

    /// The message of a refused configuration.
    private func refusal(_ alias: String, _ options: SSHOptions, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let endpoint = try resolve(alias, options)
            XCTFail("resolved to \(endpoint)", file: file, line: line)
        } catch ConnectFailure.configuration(let message) {
            return message
        } catch {
            XCTFail("unexpected \(error)", file: file, line: line)
        }
        return ""
    }

    func testOpenSSHIsAskedAndSeesIncludeAndMatch() throws {
        try XCTSkipIf(SSHOptions.installedOpenSSH == nil, "no OpenSSH client")
        _ = try write("included.conf", "Host web1\n  HostName 10.9.8.7\n  Port 2200\n  IdentityFile ~/.ssh/web_%r\n")
        let config = try write("config", """
            Include \(dir!)/included.conf
            Match user deploy
              UserKnownHostsFile \(dir!)/deploy_known_hosts
            Host *
              User root
            """)
        let endpoint = try resolve("web1", options(config), user: "deploy")
        XCTAssertEqual(endpoint.address, "10.9.8.7")
        XCTAssertEqual(endpoint.port, 2200)
        XCTAssertEqual(endpoint.user, "deploy", "the recipe's user wins, and Match user sees it")
        XCTAssertEqual(endpoint.knownHostsFile, dir + "/deploy_known_hosts")
        XCTAssertEqual(endpoint.keyFiles.first?.path, dir + "/home/.ssh/web_deploy")
        XCTAssertEqual(endpoint.route, .direct)
        XCTAssertEqual(try resolve("web1", options(config)).knownHostsFile, dir + "/home/.ssh/known_hosts",
                       "Match user deploy does not apply to root")
    }

    func testBuiltInReaderFollowsIncludeAndRefusesMatch() throws {
        _ = try write("home/.ssh/conf.d/lab.conf", "Host lab1\n  HostName 10.1.1.1\n  User ops\n")
        let config = try write("home/.ssh/config", "Include conf.d/*.conf\nHost *\n  Port 2222\n")
        let endpoint = try resolve("lab1", options(config, openSSH: false))
        XCTAssertEqual([endpoint.address, endpoint.user, String(endpoint.port)], ["10.1.1.1", "ops", "2222"])

        let withMatch = try write("match.conf", "Host a\n  HostName 10.0.0.1\nMatch exec \"true\"\n  User x\n")
        let message = refusal("a", options(withMatch, openSSH: false))
        XCTAssertTrue(message.contains("cannot evaluate Match blocks (\(withMatch):3: Match exec \"true\")"), message)
        XCTAssertTrue(message.contains("install the OpenSSH client"), message)
    }

    func testBuiltInReaderParsesTheConfigOnceForEveryHostOfARun() throws {
        _ = try write("home/.ssh/conf.d/lab.conf", (1...32).map { "Host lab\($0)\n  HostName 10.1.1.\($0)\n" }.joined())
        let config = try write("home/.ssh/config", "Include conf.d/*.conf\nHost *\n  User ops\n")
        let options = options(config, openSSH: false)
        for index in 1...32 {
            let endpoint = try resolve("lab\(index)", options)
            XCTAssertEqual([endpoint.address, endpoint.user], ["10.1.1.\(index)", "ops"])
        }
        XCTAssertEqual(options.sshConfigs.parseCount, 1)

        // A file it was read from changes (here an included one): parsed again, and seen.
        _ = try write("home/.ssh/conf.d/lab.conf", "Host lab1\n  HostName 10.2.2.2\n")
        XCTAssertEqual(try resolve("lab1", options).address, "10.2.2.2")
        XCTAssertEqual(try resolve("lab2", options).address, "lab2")
        XCTAssertEqual(options.sshConfigs.parseCount, 2)
    }

    func testOptionsCrucibleCannotHonourAreErrorsThatNameOptionAndHost() throws {
        let config = try write("config", """
            Host fdpass
              ProxyCommand nc %h %p
              ProxyUseFdpass yes
            Host chacha
              Ciphers chacha20-poly1305@openssh.com
            Host cert
              CertificateFile ~/.ssh/id_ed25519-cert.pub
            Host lax
              StrictHostKeyChecking no
            Host fine
              ForwardAgent yes
              ControlMaster auto
              ControlPath /tmp/%r@%h
              ServerAliveInterval 7
              SendEnv LANG
              Ciphers aes256-ctr,chacha20-poly1305@openssh.com
              StrictHostKeyChecking accept-new
            """)
        for openSSH in [true, false] where !openSSH || SSHOptions.installedOpenSSH != nil {
            let options = options(config, openSSH: openSSH)
            XCTAssertTrue(refusal("fdpass", options).hasPrefix("ProxyUseFdpass yes is set for fdpass, and crucible cannot take"))
            let chacha = refusal("chacha", options)
            XCTAssertTrue(chacha.hasPrefix("Ciphers chacha20-poly1305@openssh.com is set for chacha, and libssh2 1.10 supports none of them; it has "), chacha)
            XCTAssertTrue(chacha.contains("aes256-ctr"), chacha)
            let cert = refusal("cert", options)
            XCTAssertTrue(cert.hasPrefix("CertificateFile ") && cert.contains("is set for cert, and crucible cannot log in with an SSH certificate"), cert)
            XCTAssertTrue(refusal("lax", options).hasPrefix("StrictHostKeyChecking no is set for lax, and crucible never connects without checking the host key: rerun with --accept-new-host-keys"))
            XCTAssertTrue(refusal("lax", options).contains(openSSH ? "(read with ssh -G -F \(config) lax)" : "(read with the built-in ssh config reader)"))
            XCTAssertTrue(try resolve("lax", self.options(config, openSSH: openSSH, acceptNew: true)).acceptNewHostKeys,
                          "with --accept-new-host-keys, StrictHostKeyChecking no is accept-new")

            let fine = try resolve("fine", options)
            XCTAssertEqual(fine.keepaliveInterval, 7)
            XCTAssertEqual(fine.algorithms[LIBSSH2_METHOD_CRYPT_CS], ["aes256-ctr"], "cut to what libssh2 has")
            XCTAssertTrue(fine.acceptNewHostKeys)
        }
    }

    func testAnOptionCrucibleDoesNotKnowIsAnError() throws {
        let config = try write("config", "Host odd\n  RevokedHostKeys /etc/ssh/revoked\n")
        let message = refusal("odd", options(config, openSSH: false))
        XCTAssertTrue(message.hasPrefix("RevokedHostKeys /etc/ssh/revoked is set for odd, and crucible does not read a revoked-keys file"), message)
        let unknown = try write("unknown", "Host odd\n  FrobnicateHosts yes\n")
        XCTAssertTrue(refusal("odd", options(unknown, openSSH: false))
            .hasPrefix("frobnicatehosts yes is set for odd, and crucible does not know that option"))
        if SSHOptions.installedOpenSSH != nil {
            XCTAssertTrue(refusal("odd", options(unknown)).contains("Bad configuration option: frobnicatehosts"),
                          "ssh -G's own complaint is passed on")
        }
    }

    func testProxyJumpChainsAndProxyCommandTokens() throws {
        let config = try write("config", """
            Host inner
              HostName 10.0.2.9
              ProxyJump ops@outer:2201,middle
            Host middle
              HostName 10.0.1.5
              ProxyJump ignored-for-a-later-hop
            Host outer
              HostName 192.0.2.1
              ProxyJump first
            Host first
              HostName 198.51.100.1
            Host piped
              HostName 10.0.3.3
              User admin
              ProxyCommand /usr/bin/env ALIAS=%n LOGIN=%r%% ssh -W %h:%p gateway
            Host odd-token
              ProxyCommand nc %C
            """)
        for openSSH in [true, false] where !openSSH || SSHOptions.installedOpenSSH != nil {
            let options = options(config, openSSH: openSSH)
            let inner = try resolve("inner", options)
            guard case .jump(let middle) = inner.route, case .jump(let outer) = middle.route, case .jump(let first) = outer.route else {
                return XCTFail("route \(inner.route)")
            }
            XCTAssertEqual([middle.name, middle.address, outer.name, outer.user, String(outer.port), outer.address, first.address],
                           ["middle", "10.0.1.5", "outer", "ops", "2201", "192.0.2.1", "198.51.100.1"])
            XCTAssertEqual(first.route, .direct)
            XCTAssertEqual(try resolve("piped", options).route, .command("/usr/bin/env ALIAS=piped LOGIN=admin% ssh -W 10.0.3.3:22 gateway"))
            XCTAssertTrue(refusal("odd-token", options).contains("crucible does not expand %C"))
        }
    }
}
