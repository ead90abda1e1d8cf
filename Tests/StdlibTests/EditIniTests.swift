import Foundation
import XCTest
import Interpreter
import Stdlib

/// edit-ini's rules on small files, each stated as the exact resulting text.
final class EditIniTests: XCTestCase {
    private func edit(_ text: String, _ arguments: [String: Value]) async throws -> (text: String, changed: Bool) {
        let scratch = try Scratch()
        let path = try scratch.write(text, to: "f.conf")
        var arguments = arguments
        arguments["path"] = .string(path)
        let outcome = try await OpTestHost(backupsByDefault: false).run("edit-ini", arguments)
        return (Disk.text(path) ?? "", outcome.changed)
    }

    func testActiveKeyIsRewrittenInPlaceWithItsOwnSpacing() async throws {
        let result = try await edit("[a]\nx   =  1\ny=2\n", ["section": .string("a"), "settings": .record(["x": .int(5)])])
        XCTAssertEqual(result.text, "[a]\nx   =  5\ny=2\n")
    }

    func testSpacingOfNewKeysFollowsTheNearestSetting() async throws {
        let spaced = try await edit("[a]\nx = 1\n", ["section": .string("a"), "settings": .record(["y": .bool(true)])])
        XCTAssertEqual(spaced.text, "[a]\nx = 1\ny = true\n")
        let tight = try await edit("X=1\n", ["settings": .record(["Y": .string("\"two words\"")])])
        XCTAssertEqual(tight.text, "X=1\nY=\"two words\"\n")
    }

    func testMissingSectionIsAddedAfterABlankLine() async throws {
        let result = try await edit("[a]\nx = 1\n", ["section": .string("b"), "settings": .record(["y": .int(2)])])
        XCTAssertEqual(result.text, "[a]\nx = 1\n\n[b]\ny = 2\n")
    }

    func testNewKeyInASectionWithoutSettingsGoesRightAfterTheHeader() async throws {
        let result = try await edit("[a]\n# about x\n#\n[b]\n", ["section": .string("a"), "settings": .record(["x": .int(1)])])
        XCTAssertEqual(result.text, "[a]\nx = 1\n# about x\n#\n[b]\n")
    }

    func testDuplicateSectionsKeepTheKeyInOnePlace() async throws {
        let result = try await edit("[s]\nk = 1\n[t]\n[s]\nk = 2\nm = 3\n", ["section": .string("s"), "settings": .record(["k": .int(9)])])
        XCTAssertEqual(result.text, "[s]\nk = 9\n[t]\n[s]\nm = 3\n")
    }

    func testKeysAreCaseSensitive() async throws {
        let result = try await edit("[General]\ndomain = a\n", ["section": .string("General"), "settings": .record(["Domain": .string("b")])])
        XCTAssertEqual(result.text, "[General]\ndomain = a\nDomain = b\n")
    }

    func testNoneRemovesAKeyAndRestoresTheStockFile() async throws {
        let stock = try Fixtures.text("rhel7/etc/libvirt/libvirtd.conf")
        let scratch = try Scratch()
        let path = try scratch.write(stock, to: "libvirtd.conf")
        let host = OpTestHost(backupsByDefault: false)
        _ = try await host.run("edit-ini", ["path": .string(path), "settings": .record(["listen_tcp": .int(1), "auth_tcp": .string("\"none\"")])])
        XCTAssertNotEqual(Disk.text(path), stock)
        let removed = try await host.run("edit-ini", ["path": .string(path), "settings": .record(["listen_tcp": .none, "auth_tcp": .none])])
        XCTAssertTrue(removed.changed)
        XCTAssertEqual(removed.details["keys"], .list([.string("listen_tcp"), .string("auth_tcp")]))
        XCTAssertEqual(Disk.text(path), stock)
    }

    func testStateAbsentRemovesNamedKeysOrAWholeSection() async throws {
        let keys = try await edit("[a]\nx = 1\ny = 2\n[b]\nz = 3\n", ["section": .string("a"), "state": .string("absent"), "settings": .record(["x": .string("ignored")])])
        XCTAssertEqual(keys.text, "[a]\ny = 2\n[b]\nz = 3\n")
        let section = try await edit("[a]\nx = 1\n\n[b]\nz = 3\n", ["section": .string("b"), "state": .string("absent")])
        XCTAssertEqual(section.text, "[a]\nx = 1\n\n")
    }

    func testCRLFFilesStayCRLF() async throws {
        let result = try await edit("[a]\r\nx = 1\r\n", ["section": .string("a"), "settings": .record(["x": .int(2), "y": .int(3)])])
        XCTAssertEqual(result.text, "[a]\r\nx = 2\r\ny = 3\r\n")
    }

    func testMissingFinalNewlineIsKeptWhenTheLastLineIsRewritten() async throws {
        let result = try await edit("[a]\nx = 1", ["section": .string("a"), "settings": .record(["x": .int(2)])])
        XCTAssertEqual(result.text, "[a]\nx = 2")
    }

    func testListValuesAreOneLinePerValue() async throws {
        let result = try await edit("[a]\nserver = one\nother = 1\n", ["section": .string("a"), "settings": .record(["server": .list([.string("one"), .string("two")])])])
        XCTAssertEqual(result.text, "[a]\nserver = one\nserver = two\nother = 1\n")
    }

    func testAMissingFileIsAnErrorUnlessCreateIsGiven() async throws {
        let scratch = try Scratch()
        let path = scratch.path("libvirtd.conf")
        do {
            _ = try await OpTestHost().run("edit-ini", ["path": .string(path), "settings": .record(["listen_tcp": .int(1)])])
            XCTFail("expected an error")
        } catch let error as OpError {
            XCTAssertTrue(error.description.contains("does not exist"), error.description)
        }
        let created = try await OpTestHost().run("edit-ini", ["path": .string(path), "create": .bool(true), "settings": .record(["listen_tcp": .int(1)])])
        XCTAssertTrue(created.changed)
        XCTAssertEqual(Disk.text(path), "listen_tcp=1\n")
    }

    func testValuesWithLineBreaksAndBadKeysAreRejected() async throws {
        for settings: [String: Value] in [["x": .string("a\nb")], ["x": .string("a\r\nb")], ["bad=key": .int(1)], [" key": .int(1)], ["#key": .int(1)], ["x": .record([:])]] {
            do {
                _ = try await edit("x=1\n", ["settings": .record(.init(uniqueKeysWithValues: settings.map { ($0.key, $0.value) }))])
                XCTFail("expected an error for \(settings)")
            } catch is OpError {}
        }
    }

    func testBackupFalseOnAStockFile() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("rhel6/etc/libvirt/libvirtd.conf", to: "etc/libvirt/libvirtd.conf")
        try await EditCycle().run("edit-ini", [
            "path": .string(path), "backup": .bool(false),
            "settings": .record(["listen_tls": .int(0), "listen_tcp": .int(1), "auth_tcp": .string("\"none\"")]),
        ], path: path, golden: "rhel6/libvirtd.conf", expectBackup: false)
    }

    func testCommentedDefaultUnderACommentedOutHeaderIsNotUsed() async throws {
        let result = try await edit("[a]\nx = 1\n#[b]\n#y = 2\n", ["section": .string("a"), "settings": .record(["y": .int(5)])])
        XCTAssertEqual(result.text, "[a]\nx = 1\ny = 5\n#[b]\n#y = 2\n")
    }

    func testCommentedDefaultFromAnotherSectionIsNotUsed() async throws {
        let result = try await edit("[a]\n#x = 1\n[b]\ny = 2\n", ["section": .string("b"), "settings": .record(["x": .int(5)])])
        XCTAssertEqual(result.text, "[a]\n#x = 1\n[b]\ny = 2\nx = 5\n")
    }
}
