import Foundation
import XCTest

/// A throw-away OpenSSH server on 127.0.0.1 and a high port, for the SSH tests.
///
/// The sandbox hosts (TestSupport's `Sandbox`, used by `SSHSandboxTests`) are fixed RHEL-like
/// machines; these tests need a server they can shape: both an ECDSA and an ed25519 host key,
/// password logins, authorized RSA/ECDSA/encrypted keys, a non-root user with a fake sudo,
/// a DEBUG log, and one they can kill or freeze mid-command.
///
/// It runs in a private mount namespace (`unshare --mount`) where /root is an empty
/// folder (no slow login files), /usr/local/sbin and /usr/local/bin hold a fake `sudo`, /etc/shadow gives
/// root the test password, and /etc/passwd adds a non-root user `crucible` (for
/// `become`), so nothing of the machine itself is changed. Its own
/// host keys (ECDSA and ed25519, so the host key preference is exercised), its own
/// authorized_keys, LogLevel VERBOSE into `log`. Everything lives under `dir`.
final class TestSSHD {
    static let password = "crucible-test-pw-7f3a"
    static let plainUser = "crucible"

    let dir: String
    let port: Int
    let keys: ClientKeys
    /// sshd's pid (0 until started). Not a Foundation `Process`: sshd closes every
    /// inherited descriptor at start, which Foundation takes for the child's exit and then
    /// blocks its child-reaping thread in `waitpid` until sshd really ends.
    private(set) var pid: pid_t = 0

    var log: String { dir + "/sshd.log" }
    /// A known_hosts file holding only this server's ed25519 key, as `[127.0.0.1]:port`.
    var knownHosts: String { dir + "/known_hosts" }
    var hostKeyEd25519: String { dir + "/ssh_host_ed25519_key" }
    var hostKeyECDSA: String { dir + "/ssh_host_ecdsa_key" }
    var sudoLog: String { dir + "/sudo.log" }
    /// Create this file to make the fake sudo ask for a password.
    var sudoNeedsPassword: String { dir + "/sudo-needs-password" }
    /// The home of `plainUser`, writable by it.
    var plainUserHome: String { dir + "/home-crucible" }

    /// The host keys it offers (`ecdsa`, `ed25519`, `rsa`), as `HostKey` lines.
    let hostKeyTypes: [String]
    var hostKeyRSA: String { dir + "/ssh_host_rsa_key" }

    init(name: String, passwordAuthentication: Bool = false, logLevel: String = "VERBOSE", extraConfig: String = "",
         hostKeyTypes: [String] = ["ecdsa", "ed25519"]) throws {
        self.hostKeyTypes = hostKeyTypes
        keys = try ClientKeys.shared()
        dir = "/tmp/crucible-ssh-tests/\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/root", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/sbin", withIntermediateDirectories: true)
        port = try Self.freePort()
        try Shell.run("ssh-keygen -q -t ed25519 -N '' -f \(dir)/ssh_host_ed25519_key && ssh-keygen -q -t ecdsa -N '' -f \(dir)/ssh_host_ecdsa_key")
        if hostKeyTypes.contains("rsa") { try Shell.run("ssh-keygen -q -t rsa -b 2048 -N '' -f \(dir)/ssh_host_rsa_key") }
        try (keys.authorized + "\n").write(toFile: dir + "/authorized_keys", atomically: true, encoding: .utf8)
        let hostKey = try String(contentsOfFile: hostKeyEd25519 + ".pub", encoding: .utf8).split(separator: " ")
        try "[127.0.0.1]:\(port) \(hostKey[0]) \(hostKey[1])\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        try writeConfig(passwordAuthentication: passwordAuthentication, logLevel: logLevel, extra: extraConfig)
        try writeFakeSudo()
        try writeShadow()
        try writePasswd()
        pid = try Self.launch(dir: dir)
        try waitUntilListening()
    }

    deinit { stop() }

    /// Kills sshd and every process under it (the per-connection servers too), by pid.
    func stop() {
        guard pid > 0 else { return }
        for each in [pid] + Self.descendants(of: pid) { kill(each, SIGKILL) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        pid = 0
    }

    /// How many logins sshd accepted with a public key (LogLevel VERBOSE).
    func acceptedPublicKeyLogins() -> Int {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // sshd ends its log lines with "\r\n", a single Character in Swift: split on any newline.
        return text.split(whereSeparator: \.isNewline).filter { $0.contains("Accepted publickey") }.count
    }

    /// `SHA256:...` of a host key, as ssh-keygen prints it.
    func fingerprint(ofHostKey path: String) throws -> String {
        let output = try Shell.run("ssh-keygen -l -f \(path).pub")
        return String(output.split(separator: " ")[1])
    }

    // MARK: - Setup

    private func writeConfig(passwordAuthentication: Bool, logLevel: String, extra: String) throws {
        // sshd takes the first value of a keyword: a test's own lines go first.
        let config = extra + """
        Port \(port)
        ListenAddress 127.0.0.1
        \(hostKeyTypes.map { "HostKey \(dir)/ssh_host_\($0)_key" }.joined(separator: "\n"))
        PidFile \(dir)/sshd.pid
        AuthorizedKeysFile \(dir)/authorized_keys
        PermitRootLogin yes
        UsePAM no
        PasswordAuthentication \(passwordAuthentication ? "yes" : "no")
        KbdInteractiveAuthentication no
        StrictModes no
        MaxStartups 200
        MaxSessions 200
        MaxAuthTries 20
        LogLevel \(logLevel)

        """
        try config.write(toFile: dir + "/sshd_config", atomically: true, encoding: .utf8)
    }

    /// Refuses like a real sudo without NOPASSWD when `sudoNeedsPassword` exists; otherwise
    /// records its arguments (`|` after each, RS after each call), then runs the command as is (the test runs as root already).
    private func writeFakeSudo() throws {
        let script = """
            #!/bin/sh
            if [ -e \(sudoNeedsPassword) ]; then echo "sudo: a password is required" >&2; exit 1; fi
            printf '%s|' "$@" >> \(sudoLog)
            printf '\\036' >> \(sudoLog)
            [ "$1" = -n ] && shift
            exec "$@"

            """
        try script.write(toFile: dir + "/sbin/sudo", atomically: true, encoding: .utf8)
        chmod(dir + "/sbin/sudo", 0o755)
    }

    private func writeShadow() throws {
        let hash = try Shell.run("openssl passwd -6 -salt crucible \(Self.password)").trimmingCharacters(in: .whitespacesAndNewlines)
        let shadow = try String(contentsOfFile: "/etc/shadow", encoding: .utf8)
            .split(separator: "\n").map { line -> String in
                guard line.hasPrefix("root:") else { return String(line) }
                var fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                fields[1] = hash
                return fields.joined(separator: ":")
            }.joined(separator: "\n") + "\n"
        try shadow.write(toFile: dir + "/shadow", atomically: true, encoding: .utf8)
    }

    /// Adds `plainUser` (uid 1500, /bin/sh) with a home it owns; the sudo log is writable
    /// by it because the fake sudo runs as that user.
    private func writePasswd() throws {
        let passwd = try String(contentsOfFile: "/etc/passwd", encoding: .utf8)
        let line = "\(Self.plainUser):x:1500:1500:crucible test:\(plainUserHome):/bin/sh\n"
        try (passwd + line).write(toFile: dir + "/passwd", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: plainUserHome, withIntermediateDirectories: true)
        chown(plainUserHome, 1500, 1500)
        _ = FileManager.default.createFile(atPath: sudoLog, contents: nil)
        chmod(sudoLog, 0o666)
    }

    private static func launch(dir: String) throws -> pid_t {
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        let arguments = [
            "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
            "mount --bind \(dir)/root /root && mount --bind \(dir)/sbin /usr/local/sbin && mount --bind \(dir)/sbin /usr/local/bin && "
                + "mount --bind \(dir)/shadow /etc/shadow && mount --bind \(dir)/passwd /etc/passwd && "
                + "exec /usr/sbin/sshd -D -f \(dir)/sshd_config -E \(dir)/sshd.log",
        ]
        return try Shell.spawn(arguments)
    }

    private func waitUntilListening() throws {
        for _ in 0..<100 {
            if Self.canConnect(port: port) { return }
            var status: Int32 = 0
            guard waitpid(pid, &status, WNOHANG) == 0 else { break }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: self.log, encoding: .utf8)) ?? ""
        throw TestSetupError("sshd on port \(port) did not start: \(log)")
    }

    // MARK: - Ports and processes

    /// A port nothing listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TestSetupError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func descendants(of root: Int32) -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        var result: [Int32] = []
        var queue = [root]
        while let next = queue.popLast() {
            let found = children[next] ?? []
            result += found
            queue += found
        }
        return result
    }
}

/// The client key pairs, made once per test run: ed25519 (authorized), ECDSA (authorized),
/// RSA (authorized, still refused: SHA-1), an encrypted ed25519 (authorized), and an
/// ed25519 key the server does not know.
struct ClientKeys: Sendable {
    static let passphrase = "crucible-key-pass"
    let dir: String
    var ed25519: String { dir + "/id_ed25519" }
    var ecdsa: String { dir + "/id_ecdsa" }
    var rsa: String { dir + "/id_rsa" }
    var encrypted: String { dir + "/id_ed25519_encrypted" }
    var stranger: String { dir + "/id_stranger" }
    let authorized: String

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: ClientKeys?

    static func shared() throws -> ClientKeys {
        lock.lock()
        defer { lock.unlock() }
        if let made { return made }
        removeKeysOfEndedRuns()
        let dir = "/tmp/crucible-ssh-tests/keys-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Shell.run("""
            ssh-keygen -q -t ed25519 -N '' -f \(dir)/id_ed25519 && ssh-keygen -q -t ecdsa -N '' -f \(dir)/id_ecdsa && \
            ssh-keygen -q -t rsa -b 2048 -N '' -f \(dir)/id_rsa && \
            ssh-keygen -q -t ed25519 -N \(passphrase) -f \(dir)/id_ed25519_encrypted && \
            ssh-keygen -q -t ed25519 -N '' -f \(dir)/id_stranger
            """)
        let authorized = try ["id_ed25519", "id_ecdsa", "id_rsa", "id_ed25519_encrypted"].map {
            try String(contentsOfFile: "\(dir)/\($0).pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }.joined(separator: "\n")
        let keys = ClientKeys(dir: dir, authorized: authorized)
        made = keys
        return keys
    }
}

/// Key folders of test processes that are gone (`keys-PID`).
private func removeKeysOfEndedRuns() {
    let parent = "/tmp/crucible-ssh-tests"
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix("keys-") {
        guard let pid = Int32(entry.dropFirst(5)), kill(pid, 0) != 0 else { continue }
        try? FileManager.default.removeItem(atPath: parent + "/" + entry)
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a shell command for test setup; throws with its output when it fails.
///
/// `posix_spawn` and `waitpid`, not Foundation's `Process`: Foundation learns that a child
/// ended when a descriptor it passed down closes, so a command that leaves daemons behind
/// (the sandbox script) looks alive forever, and one that closes its descriptors (sshd)
/// looks dead at once. The output goes to a file for the same reason.
enum Shell {
    @discardableResult
    static func run(_ command: String) throws -> String {
        let outputPath = NSTemporaryDirectory() + "crucible-shell-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try spawn(["/bin/sh", "-c", command + " </dev/null >" + outputPath + " 2>&1"])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TestSetupError("`\(command)` failed (\(status)): \(output)") }
        return output
    }

    static func spawn(_ arguments: [String]) throws -> pid_t {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], nil, nil, &argv, environ)
        guard status == 0 else { throw TestSetupError("cannot start \(arguments[0]): \(String(cString: strerror(status)))") }
        return pid
    }
}
