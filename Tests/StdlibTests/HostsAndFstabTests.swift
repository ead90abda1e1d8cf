import Foundation
import XCTest
import Interpreter
import Stdlib

/// hosts-entry and fstab on the cases the live-migration docs care about.
final class HostsAndFstabTests: XCTestCase {
    private func hosts(_ text: String, _ address: String, _ names: [String]) async throws -> (text: String, changed: Bool) {
        let scratch = try Scratch()
        let path = try scratch.write(text, to: "hosts")
        let outcome = try await OpTestHost(backupsByDefault: false).run("hosts-entry", [
            "address": .string(address), "names": .list(names.map(Value.string)), "path": .string(path),
        ])
        return (Disk.text(path) ?? "", outcome.changed)
    }

    func testNamesAreAddedToTheAddressLineKeepingItsAliasesSpacingAndComment() async throws {
        let result = try await hosts("127.0.0.1   localhost\n10.0.0.5\told.example.com old  # node\n", "10.0.0.5", ["c1.example.com", "c1"])
        XCTAssertEqual(result.text, "127.0.0.1   localhost\n10.0.0.5\told.example.com old c1.example.com c1  # node\n")
    }

    func testDuplicateAddressLinesAreRemoved() async throws {
        let result = try await hosts("10.0.0.5 c1.example.com c1\n#x\n10.0.0.5 c1\n", "10.0.0.5", ["c1.example.com", "c1"])
        XCTAssertEqual(result.text, "10.0.0.5 c1.example.com c1\n#x\n")
        XCTAssertTrue(result.changed)
    }

    func testNameOnAnotherAddressIsMovedOffButLoopbackLinesStay() async throws {
        let result = try await hosts("127.0.0.1 localhost C1.example.com c1\n::1 localhost6 c1\n10.9.9.9 c1\n", "10.0.0.5", ["c1.example.com", "c1"])
        XCTAssertEqual(result.text, "127.0.0.1 localhost C1.example.com c1\n::1 localhost6 c1\n10.0.0.5 c1.example.com c1\n")
    }

    func testLoopbackAddressesAndLocalhostNamesAreRefused() async throws {
        for (address, names) in [("127.0.1.1", ["c1"]), ("::1", ["c1"]), ("10.0.0.5", ["localhost.localdomain", "c1"])] {
            do {
                _ = try await hosts("127.0.0.1 localhost\n", address, names)
                XCTFail("\(address) \(names) should be refused")
            } catch let error as OpError {
                XCTAssertTrue(error.message.contains("loopback"), error.message)
            }
        }
        XCTAssertFalse(HostsFile.isLoopback("10.0.0.1"))
        XCTAssertFalse(HostsFile.isLoopback("fe80::1"))
        XCTAssertTrue(HostsFile.isLoopback("0:0:0:0:0:0:0:1"))
    }

    func testTwoNodesWithOneNameAreRefused() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("127.0.0.1 localhost\n", to: "hosts")
        let entries: Value = .list([
            .record(["address": .string("10.0.0.5"), "names": .list([.string("compute")])]),
            .record(["address": .string("10.0.0.6"), "names": .list([.string("Compute")])]),
        ])
        do {
            _ = try await OpTestHost(backupsByDefault: false).run("hosts-entries", ["entries": entries, "path": .string(path)])
            XCTFail("two addresses with one name")
        } catch let error as OpError {
            XCTAssertTrue(error.message.contains("given to both 10.0.0.5 and 10.0.0.6"), error.message)
        }
        XCTAssertEqual(Disk.text(path), "127.0.0.1 localhost\n")
    }

    func testUnchangedEntryIsNoChange() async throws {
        let result = try await hosts("10.0.0.5    c1.example.com c1\n", "10.0.0.5", ["c1.example.com", "c1"])
        XCTAssertFalse(result.changed)
    }

    func testHostsEntriesAppliesEveryEntryInOneWrite() async throws {
        let scratch = try Scratch()
        let path = try scratch.write("127.0.0.1 localhost\n10.0.0.5 old\n", to: "hosts")
        let entries: Value = .list([
            .record(["address": .string("10.0.0.5"), "names": .list([.string("c1.example.com"), .string("c1")])]),
            .record(["address": .string("10.0.0.6"), "names": .string("c2")]),
        ])
        let host = OpTestHost(backupsByDefault: false)
        let first = try await host.run("hosts-entries", ["entries": entries, "path": .string(path)])
        XCTAssertTrue(first.changed)
        XCTAssertEqual(Disk.text(path), "127.0.0.1 localhost\n10.0.0.5 old c1.example.com c1\n10.0.0.6 c2\n")
        XCTAssertEqual(first.diff.components(separatedBy: "+++ ").count - 1, 1, "one write for both entries")
        let second = try await host.run("hosts-entries", ["entries": entries, "path": .string(path)])
        XCTAssertFalse(second.changed)
        do {
            _ = try await host.run("hosts-entries", ["entries": .list([.record(["address": .string("10.0.0.7 x")])]), "path": .string(path)])
            XCTFail("a malformed entry is refused")
        } catch let error as OpError {
            XCTAssertTrue(error.message.contains("names") || error.message.contains("address"), error.message)
        }
    }

    private func fstab(_ text: String, _ arguments: [String: Value]) async throws -> (text: String, changed: Bool) {
        let scratch = try Scratch()
        let path = try scratch.write(text, to: "fstab")
        var arguments = arguments
        arguments["path"] = .string(path)
        let outcome = try await OpTestHost(backupsByDefault: false).run("fstab", arguments)
        return (Disk.text(path) ?? "", outcome.changed)
    }

    func testDifferingEntryIsReplacedAndDuplicatesRemoved() async throws {
        let result = try await fstab("/dev/sda1 / xfs defaults 0 0\nold:/ /var/lib/nova/instances nfs defaults 0 0\n# c\nold2:/ /var/lib/nova/instances nfs4 defaults 0 0\n", [
            "source": .string("ctl:/"), "mountpoint": .string("/var/lib/nova/instances"), "fstype": .string("nfs4"),
        ])
        // Aligned to the first entry's columns where the fields fit.
        XCTAssertEqual(result.text, "/dev/sda1 / xfs defaults 0 0\nctl:/     /var/lib/nova/instances nfs4 defaults 0 0\n# c\n")
    }

    func testEqualEntryWithOtherSpacingIsKept() async throws {
        let result = try await fstab("ctl:/\t/var/lib/nova/instances\tnfs4\tdefaults,_netdev\n", [
            "source": .string("ctl:/"), "mountpoint": .string("/var/lib/nova/instances"), "fstype": .string("nfs4"),
            "options": .string("defaults,_netdev"),
        ])
        XCTAssertFalse(result.changed, "missing dump and pass fields count as 0")
    }

    func testBlanksInPathsAreEscapedAndAbsentRemoves() async throws {
        let added = try await fstab("", ["source": .string("srv:/a b"), "mountpoint": .string("/mnt/a b"), "fstype": .string("nfs")])
        XCTAssertEqual(added.text, "srv:/a\\040b /mnt/a\\040b nfs defaults 0 0\n")
        let removed = try await fstab(added.text, ["source": .string("x"), "mountpoint": .string("/mnt/a b"), "fstype": .string("nfs"), "state": .string("absent")])
        XCTAssertEqual(removed.text, "")
        XCTAssertTrue(removed.changed)
    }
}
