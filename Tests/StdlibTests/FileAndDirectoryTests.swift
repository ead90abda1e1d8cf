import Foundation
import XCTest
import Interpreter
import Stdlib

/// file, directory, systemd-dropin and authorized-key: whole files, modes and owners.
final class FileAndDirectoryTests: XCTestCase {
    func testFileReplacesContentKeepingModeAndOwner() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("rhel7/etc/exports", to: "etc/exports")
        try await EditCycle().run("file", ["path": .string(path), "content": .string("/srv *(ro)\n")], path: path, golden: "edited/exports.file")
    }

    func testFileCreatesWithModeAndOwner() async throws {
        let scratch = try Scratch()
        let path = scratch.path("etc/modprobe.d/lockd.conf")
        let outcome = try await EditCycle().run("file", [
            "path": .string(path), "content": .string("options lockd nlm_tcpport=32803 nlm_udpport=32769\n"),
            "mode": .string("0600"), "owner": .string("4321:4322"),
        ], path: path, golden: "created/lockd.conf")
        XCTAssertEqual(outcome.commands.count, 1, "mkdir -p of the missing directory")
        XCTAssertEqual(try Disk.mode(path), 0o600)
        XCTAssertEqual(try Disk.owner(path).uid, 4321)
    }

    func testFileWithSameContentOnlyFixesMode() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("x\n", to: "f")
        try Disk.setMode(path, 0o644)
        let host = OpTestHost()
        let check = try await host.checking().run("file", ["path": .string(path), "content": .string("x\n"), "mode": .string("0640")])
        XCTAssertTrue(check.changed)
        XCTAssertEqual(check.commands, [PathCheck.changeCommand(in: scratch.root.path, name: "f", mode: "0640")],
                       "chmod in the file's pinned directory")
        XCTAssertEqual(try Disk.mode(path), 0o644, "check mode changes nothing")
        let applied = try await host.run("file", ["path": .string(path), "content": .string("x\n"), "mode": .string("0640")])
        XCTAssertEqual(applied.diff, "")
        XCTAssertEqual(try Disk.mode(path), 0o640)
        let again = try await host.run("file", ["path": .string(path), "content": .string("x\n"), "mode": .string("640")])
        XCTAssertFalse(again.changed)
        XCTAssertFalse(Disk.exists(path + ".crucible~"), "no content change, no backup")
    }

    func testDirectoryIsCreatedThenLeftAlone() async throws {
        let scratch = try Scratch()
        let path = scratch.path("var/lib/nova/in stances")
        let host = OpTestHost()
        let check = try await host.checking().run("directory", ["path": .string(path), "mode": .string("0751"), "owner": .string("4321:4322")])
        XCTAssertEqual(check.commands, [
            PathCheck.changeCommand(in: scratch.root.path, create: ["var", "lib", "nova", "in stances"], createMode: "0751", owner: "4321:4322"),
        ], "one command makes each missing directory in the one above it, then sets the owner")
        XCTAssertTrue(check.commands[0].contains("'"), "the blank in the path is quoted")
        XCTAssertFalse(Disk.exists(path))
        let applied = try await host.run("directory", ["path": .string(path), "mode": .string("0751"), "owner": .string("4321:4322")])
        XCTAssertTrue(applied.changed)
        XCTAssertEqual(try Disk.mode(path), 0o751)
        XCTAssertEqual(try Disk.owner(path).uid, 4321)
        let again = try await host.run("directory", ["path": .string(path), "mode": .string("0751"), "owner": .string("4321:4322")])
        XCTAssertFalse(again.changed)
        XCTAssertEqual(again.commands, [])
        try Disk.setMode(path, 0o700)
        let fixed = try await host.run("directory", ["path": .string(path), "mode": .string("0751"), "owner": .string("4321")])
        XCTAssertEqual(fixed.commands, [PathCheck.changeCommand(in: path, mode: "0751")], "only what differs")
    }

    func testDirectoryOverAFileIsAnError() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("x", to: "f")
        do {
            _ = try await OpTestHost().run("directory", ["path": .string(path)])
            XCTFail("expected an error")
        } catch let error as OpError {
            XCTAssertTrue(error.description.contains("not a directory"), error.description)
        }
    }

    func testSystemdDropinNeedsDaemonReloadOnlyWhenItChanges() async throws {
        let scratch = try Scratch()
        let directory = scratch.path("etc/systemd/system")
        let arguments: [String: Value] = [
            "unit": .string("openstack-nova-compute"), "content": .string("[Unit]\nRequiresMountsFor=/var/lib/nova/instances"),
            "directory": .string(directory),
        ]
        let path = directory + "/openstack-nova-compute.service.d/crucible.conf"
        let outcome = try await EditCycle().run("systemd-dropin", arguments, path: path, golden: "created/nova-compute-dropin.conf")
        XCTAssertEqual(outcome.details["needs_daemon_reload"], .bool(true))
        XCTAssertEqual(outcome.details["path"], .string(path))
        let again = try await OpTestHost().run("systemd-dropin", arguments)
        XCTAssertEqual(again.details["needs_daemon_reload"], .bool(false))
        var changedContent = arguments
        changedContent["content"] = .string("[Unit]\nRequiresMountsFor=/srv/instances\n")
        let changed = try await OpTestHost().run("systemd-dropin", changedContent)
        XCTAssertEqual(changed.details["needs_daemon_reload"], .bool(true))
        XCTAssertTrue(Disk.exists(path + ".crucible~"))
    }

    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTestsOnly0123456789abcdefghijklmn root@ctl"

    func testAuthorizedKeyCreatesPrivateDirectoryAndFile() async throws {
        let scratch = try Scratch()
        let path = scratch.path("home/nova/.ssh/authorized_keys")
        try FileManager.default.createDirectory(atPath: scratch.path("home/nova"), withIntermediateDirectories: true)
        let outcome = try await EditCycle().run("authorized-key", ["key": .string(Self.key), "path": .string(path)], path: path, golden: "created/authorized_keys")
        XCTAssertEqual(outcome.commands, [PathCheck.changeCommand(in: scratch.path("home/nova"), create: [".ssh"], createMode: "0700")])
        XCTAssertEqual(try Disk.mode(scratch.path("home/nova/.ssh")), 0o700)
        XCTAssertEqual(try Disk.mode(path), 0o600)
    }

    func testAuthorizedKeyIsUpdatedNotDuplicated() async throws {
        let scratch = try Scratch()
        let old = Self.key.replacingOccurrences(of: "root@ctl", with: "old comment")
        let path = try scratch.write("# keys\nssh-ed25519 AAAAOTHER other\n\(old)\n\(old)\n", to: "authorized_keys")
        try await EditCycle().run("authorized-key", ["key": .string(Self.key), "path": .string(path)], path: path, golden: "edited/authorized_keys")
        XCTAssertEqual(Disk.text(path), "# keys\nssh-ed25519 AAAAOTHER other\n\(Self.key)\n")
    }

    func testAuthorizedKeyForAUserFindsTheHomeDirectory() async throws {
        let outcome = try await OpTestHost().checking().run("authorized-key", ["key": .string(Self.key), "user": .string("root")])
        XCTAssertEqual(outcome.details["path"], .string("/root/.ssh/authorized_keys"))
        XCTAssertTrue(outcome.changed, "the fake key is not authorized on this machine")
        do {
            _ = try await OpTestHost().checking().run("authorized-key", ["key": .string(Self.key), "user": .string("no-such-user-crucible")])
            XCTFail("expected an error")
        } catch let error as OpError {
            XCTAssertTrue(error.description.contains("no user"), error.description)
        }
    }

    func testEveryFileOpIsDeclaredWithDocsAndExamples() {
        let names = FileOps.all.map(\.name)
        XCTAssertEqual(names, ["ensure-line", "edit-ini", "hosts-entry", "hosts-entries", "fstab", "file", "directory", "systemd-dropin", "authorized-key"])
        for spec in FileOps.all {
            XCTAssertTrue(spec.isChangingOp, spec.name)
            XCTAssertFalse(spec.examples.isEmpty, spec.name)
            XCTAssertFalse(spec.summary.isEmpty, spec.name)
            for param in spec.params { XCTAssertFalse(param.doc.isEmpty, "\(spec.name).\(param.name)") }
        }
        XCTAssertEqual(Stdlib.spec(named: "edit-ini")?.blockParam, "settings")
    }
}
