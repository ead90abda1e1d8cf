import Foundation
import XCTest
import Interpreter
import SSH
import TestSupport

/// A hostile user on a managed host gains nothing (issue #16): root never follows what a
/// less-privileged user planted. Each test plants what `nova` (uid 162, an unprivileged user
/// on every sandbox host) could plant, runs crucible over SSH as root, and checks that
/// nothing crucible changed went where nova pointed it. See docs/security.md.
final class HostileHostUserTests: XCTestCase {
    var sandbox: Sandbox!
    var tmp: URL!
    static let host = "c6"

    override func setUpWithError() throws {
        sandbox = try Sandbox.start(name: "HostileHostUser", hosts: [(Self.host, "rhel6")])
        tmp = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-hostile-user-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? sandbox.stop()
        try? FileManager.default.removeItem(at: tmp)
    }

    // MARK: - Helpers

    /// Runs `command` on the host as root (inside its namespaces, not over SSH); fails the
    /// test when it fails.
    @discardableResult
    func root(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let (status, output) = try sandbox.exec(Self.host, command)
        XCTAssertEqual(status, 0, "\(command): \(output)", file: file, line: line)
        return output
    }

    /// Runs `command` on the host as nova (uid and gid 162, no other group).
    @discardableResult
    func nova(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try root(ShellQuote.command(["setpriv", "--reuid=162", "--regid=162", "--clear-groups", "sh", "-c", command]),
                 file: file, line: line)
    }

    /// Runs a recipe body on the host over SSH (as root), at most a minute. The recipe's name
    /// keys its follow-ups: the same name is the same recipe run again. (A run whose host
    /// failed is checked for a non-zero status, not for 1: crucible-sh sometimes dies of
    /// SIGSEGV while it exits after a host failed, before this change too.)
    func run(_ body: String, name: String = "hostile") throws -> CrucibleProcess.Result {
        let recipe = tmp.appendingPathComponent("\(name).crucible")
        try "param target: host\non target {\n\(body)\n}\n".write(to: recipe, atomically: true, encoding: .utf8)
        let run = try BackgroundCrucible(["run", recipe.path, "--set", "target=\(Self.host)", "--ssh-config", sandbox.sshConfig])
        let (result, hung) = run.wait(limit: 60)
        XCTAssertFalse(hung, "the run hung:\n\(result.output)")
        return result
    }

    // MARK: - 1. Ops that change a path do not follow another user's symlink

    func testDirectoryRefusesASymlinkNovaPlantedAndLeavesWhereItPointsAlone() throws {
        try nova("rmdir /var/lib/nova/instances 2>/dev/null; ln -s /etc/ssh /var/lib/nova/instances")
        let result = try run(#"directory "/var/lib/nova/instances" owner: "nova:nova" mode: "0755""#)
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains(
            "refusing to follow /var/lib/nova/instances: a symlink owned by nova (uid 162), pointing to /etc/ssh"), result.output)
        XCTAssertEqual(try root("stat -c '%U:%G %a' /etc/ssh"), "root:root 755\n", "/etc/ssh is still root's")

        // Without the link: made one component at a time, the second op planned after the
        // first made its parent (the probes name the directories above them).
        try nova("rm /var/lib/nova/instances")
        let clean = try run("""
              directory "/var/lib/nova/instances" owner: "nova:nova" mode: "0755"
              directory "/var/lib/nova/instances/_base/x" owner: "nova:nova"
            """)
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertEqual(try root("stat -c '%U:%G %a' /var/lib/nova/instances /var/lib/nova/instances/_base /var/lib/nova/instances/_base/x"),
                       "nova:nova 755\nroot:root 755\nnova:nova 755\n")
    }

    func testAuthorizedKeyRefusesASymlinkedSshDirectoryOrKeyFile() throws {
        let rootKeys = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRootsOwnKeyOnly root@admin\n"
        try root("mkdir -p -m 0700 /root/.ssh && printf '%s' \(ShellQuote.quote(rootKeys)) > /root/.ssh/authorized_keys")
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINovasKeyForTheTestOnly0123456789abcdef nova@ctl"
        let call = "authorized-key \(Value.quoted(key)) user: \"nova\""

        try nova("ln -s /root/.ssh /var/lib/nova/.ssh")
        let linkedDirectory = try run(call)
        XCTAssertNotEqual(linkedDirectory.status, 0, linkedDirectory.output)
        XCTAssertTrue(linkedDirectory.output.contains(
            "refusing to follow /var/lib/nova/.ssh: a symlink owned by nova (uid 162), pointing to /root/.ssh"), linkedDirectory.output)
        XCTAssertEqual(try root("cat /root/.ssh/authorized_keys"), rootKeys, "root's keys are untouched")

        try nova("rm /var/lib/nova/.ssh && mkdir -m 0700 /var/lib/nova/.ssh && ln -s /root/.ssh/authorized_keys /var/lib/nova/.ssh/authorized_keys")
        let linkedFile = try run(call)
        XCTAssertNotEqual(linkedFile.status, 0, linkedFile.output)
        XCTAssertTrue(linkedFile.output.contains("refusing to follow /var/lib/nova/.ssh/authorized_keys: a symlink owned by nova"),
                      linkedFile.output)
        XCTAssertEqual(try root("cat /root/.ssh/authorized_keys"), rootKeys, "root's keys are untouched")

        // Without the links, the key goes in, as nova's file.
        try nova("rm /var/lib/nova/.ssh/authorized_keys && rmdir /var/lib/nova/.ssh")
        let clean = try run(call)
        XCTAssertEqual(clean.status, 0, clean.output)
        XCTAssertEqual(try root("stat -c '%U:%G %a' /var/lib/nova/.ssh /var/lib/nova/.ssh/authorized_keys"),
                       "nova:nova 700\nnova:nova 600\n")
        XCTAssertEqual(try root("cat /var/lib/nova/.ssh/authorized_keys"), key + "\n")
    }

    // MARK: - 2. The temp file cannot be planted; only regular files are replaced

    /// The old temp name was `.crucible-tmp.PID.STEP`, and noclobber (`set -C`) opens a name
    /// that exists and is not a regular file. nova plants that name for every possible pid
    /// (pid_max is 32768 here), each a symlink to a device: the write must not go through any.
    func testATempNameNovaPlantedForEveryPidIsNeverUsed() throws {
        let directory = tmp.appendingPathComponent("nova-dir").path
        let target = directory + "/secret.conf"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        try "old secret\n".write(toFile: target, atomically: false, encoding: .utf8)
        try root("mknod \(ShellQuote.quote(directory + "/trap")) c 1 3 && chmod 0666 \(ShellQuote.quote(directory + "/trap"))"
                 + " && chown 162:162 \(ShellQuote.quote(directory)) \(ShellQuote.quote(target)) && chmod 0600 \(ShellQuote.quote(target))")
        let pidMax = Int((try? String(contentsOfFile: "/proc/sys/kernel/pid_max", encoding: .utf8))?.trimmed ?? "") ?? 32768
        for pid in 1...min(pidMax, 4_194_304) {
            let link = "\(directory)/.crucible-tmp.\(pid).0"
            guard symlink(directory + "/trap", link) == 0, lchown(link, 162, 162) == 0 else {
                return XCTFail("cannot plant \(link): errno \(errno)")
            }
        }
        let result = try run(#"file "\#(target)" content: "new secret\n" owner: "nova:nova" mode: "0600""#)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(try root("stat -c '%F %U:%G %a' \(ShellQuote.quote(target)) \(ShellQuote.quote(directory + "/trap"))"),
                       "regular file nova:nova 600\ncharacter special file root:root 666\n",
                       "the file is a file again, and the device was not written through")
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new secret\n")
    }

    func testAFifoOrADeviceIsNotReplacedNorRead() throws {
        try root("mknod /etc/crucible-device c 1 3 && mkfifo /etc/crucible-fifo")
        for path in ["/etc/crucible-device", "/etc/crucible-fifo"] {
            let result = try run(#"ensure-line "\#(path)" "a = 1""#)
            XCTAssertNotEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.contains("\(path) is not a regular file"), result.output)
        }
        XCTAssertEqual(try root("stat -c '%F' /etc/crucible-device /etc/crucible-fifo"), "character special file\nfifo\n")
    }

    // MARK: - 3. The lock and the follow-ups journal

    func testTheLockAndJournalIgnoreLinksPlantedInTheWorldWritableLockDirectory() throws {
        // The old layout's names, planted by nova in /run/lock (mode 1777, /var/lock's target).
        try nova("ln -s /etc/shadow /run/lock/crucible.lock.pending && ln -s /etc/shadow /run/lock/crucible.lock.pending.new")
        let shadow = try root("cat /etc/shadow")
        let body = """
              let conf = ensure-line "/etc/crucible-follow-up.conf" "a = 1" create: true
              if conf.changed { run "test -e /etc/crucible-allowed" }
            """
        let cut = try run(body, name: "follow-up")
        XCTAssertNotEqual(cut.status, 0, "the follow-up fails, so its key stays in the journal: \(cut.output)")
        XCTAssertEqual(try root("cat /etc/shadow"), shadow, "/etc/shadow is untouched")
        XCTAssertEqual(try root("stat -c '%F %U %a' /var/lock/crucible"), "directory root 700\n")
        XCTAssertTrue(try root("cat /var/lock/crucible/pending").contains("follow-up.crucible:3:"), "the key is in the private journal")

        try root("touch /etc/crucible-allowed")
        let again = try run(body, name: "follow-up")
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(try root("cat /etc/shadow"), shadow, "/etc/shadow is untouched")
        XCTAssertEqual(try root("ls -A /var/lock/crucible"), "", "the lock is released and the journal emptied")

        // A lock directory nova made (or a symlink nova made in its place) is refused.
        try root("rm -rf /var/lock/crucible")
        try nova("mkdir -m 0700 /run/lock/crucible")
        let theirs = try run(#"log("hi")"#)
        XCTAssertNotEqual(theirs.status, 0, theirs.output)
        XCTAssertTrue(theirs.output.contains("refusing to use /var/lock/crucible for crucible's lock: it belongs to nova (uid 162)"),
                      theirs.output)
        try root("rm -rf /var/lock/crucible")
        try nova("ln -s /etc /run/lock/crucible")
        let linked = try run(#"log("hi")"#)
        XCTAssertNotEqual(linked.status, 0, linked.output)
        XCTAssertTrue(linked.output.contains("refusing to use /var/lock/crucible for crucible's lock: it is not a directory"), linked.output)
        XCTAssertEqual(try root("stat -c '%U %a' /etc"), "root 755\n")
    }

    // MARK: - 4. A file whose mode is tightened is never readable with its new bytes

    func testANewSecretIsNeverReadableWhileItIsWritten() async throws {
        try root("printf 'public\\n' > /etc/crucible-secret.conf && chmod 0644 /etc/crucible-secret.conf")
        // nova reads every temp file it can open in /etc, until told to stop (a minute at most).
        try root("setsid setpriv --reuid=162 --regid=162 --clear-groups sh -c '"
                 + "end=$(($(date +%s) + 60)); while [ ! -e /var/lib/nova/stop ] && [ $(date +%s) -lt $end ]; do "
                 + "for f in /etc/.crucible-tmp.*; do cat \"$f\" 2>/dev/null; done; done > /var/lib/nova/stolen"
                 + "' </dev/null >/dev/null 2>&1 &")
        let marker = "SECRET-" + UUID().uuidString + "\n"
        let secret = Array(String(repeating: marker, count: 32 * 1024 * 1024 / marker.utf8.count).utf8)
        let host = try sandbox.host(named: Self.host)
        let transport = SSHTransport(target: HostTarget(user: "root", address: host.address), options: SSHOptions(
            identityFiles: [sandbox.identity], knownHostsFile: sandbox.knownHosts,
            sshConfigPath: sandbox.directory + "/no-ssh-config", useAgent: false, home: sandbox.directory))
        try await transport.connect()
        try await transport.writeFile("/etc/crucible-secret.conf", contents: secret, options: WriteOptions(mode: "0600"))
        await transport.close()
        try nova("touch /var/lib/nova/stop; sleep 1")
        XCTAssertEqual(try root("stat -c '%a %s' /etc/crucible-secret.conf"), "600 \(secret.count)\n")
        let stolen = try root("wc -c < /var/lib/nova/stolen; grep -c SECRET /var/lib/nova/stolen || true")
        XCTAssertEqual(stolen, "0\n0\n", "nova read none of the new bytes")
    }

    // MARK: - 5. Backups

    /// The write fails at its last step (the file is a mount point: the rename gets EBUSY).
    /// The backup from before must survive: it used to be replaced before the rename.
    func testAFailedWriteKeepsThePreviousBackup() throws {
        try root("printf 'v1\\n' > /etc/crucible-backup.conf && printf 'v0\\n' > /etc/crucible-backup.conf.crucible~"
                 + " && mount --bind /etc/crucible-backup.conf /etc/crucible-backup.conf")
        defer { _ = try? sandbox.exec(Self.host, "umount /etc/crucible-backup.conf") }
        let result = try run(#"ensure-line "/etc/crucible-backup.conf" "v2""#)
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertEqual(try root("cat /etc/crucible-backup.conf /etc/crucible-backup.conf.crucible~"), "v1\nv0\n",
                       "the file and its previous backup are as they were")
        XCTAssertEqual(try root("ls -A /etc | grep -c '^.crucible-tmp' || true"), "0\n", "no temp file is left")
    }

    func testSavedIptablesRulesKeepABackup() throws {
        let stock = try root("cat /etc/sysconfig/iptables")
        let result = try run(#"open-port "tcp" [16509]"#)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(try root("cat /etc/sysconfig/iptables").contains("--dport 16509"), "the rules were saved")
        XCTAssertEqual(try root("cat /etc/sysconfig/iptables.crucible~"), stock, "the saved rules from before are kept")
    }
}
