import Foundation
@testable import Interpreter
import Synchronization
import XCTest

/// The run's read cache on real files and real shell commands (the local transport): a
/// batched read answers exactly what one read at a time would, in one exec, and a change
/// forgets exactly the reads it may have made stale.
final class ReadAheadCacheTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-readahead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    }

    func testOneExecAnswersFilesAndProbesAsSeparateReadsWould() async throws {
        try write("plain", Array("a = 1\nb = 2\n".utf8))
        try write("no-newline", Array("last line".utf8))
        try write("empty", [])
        try write("binary", [0, 255, 10, 13, 0, 1])
        // Text that looks like the framing must come back as bytes, not end the answer.
        try write("tricky", Array("--crucible-0000 0\n\n--crucible-x 3\n".utf8))
        try FileManager.default.createDirectory(atPath: path("a-directory"), withIntermediateDirectories: false)
        let files = ["plain", "no-newline", "empty", "binary", "tricky", "missing", "a-directory"].map(path)
        let probes = [
            "echo out; echo err >&2; exit 3",
            ShellQuote.command(["printf", "%s", "no newline"]),
            "exit 0",
        ].map { Probe($0, reads: []) }
        let direct = LocalTransport()
        let cache = CachingTransport(LocalTransport())
        await cache.prefetch(files: files, probes: probes)
        XCTAssertEqual(cache.stats().execChannels, 1, "everything in one exec")

        for file in files.dropLast() {
            let expected = try await direct.readFileByExec(file)
            XCTAssertEqual(cache.cachedFile(file), .some(expected), file)
        }
        XCTAssertNil(cache.cachedFile(path("a-directory")), "a directory is left for the op to report")
        for probe in probes {
            let expected = try await direct.run(probe.command)
            XCTAssertEqual(cache.cachedProbe(probe), expected, probe.command)
        }
        // Reads of what was fetched cost nothing more.
        _ = try await cache.readFile(path("plain"))
        _ = try await cache.probe(probes[0])
        XCTAssertEqual(cache.stats().execChannels, 1)
    }

    func testAFileThatChangesSizeBetweenCountAndCopyIsNotTaken() async throws {
        let batch = ReadBatch(files: ["/etc/a", "/etc/b"], probes: [], boundary: "B")
        func framed(_ sections: [String]) -> [UInt8] {
            Array(sections.map { "B\n\($0)\nB 0\n" }.joined().utf8)
        }
        let good = CommandResult(stdout: framed(["11", "2 /etc/a\n3 /etc/b\n5 total", "abcde"]), stderr: framed(["", "", ""]), status: 0)
        XCTAssertEqual(batch.parse(good)?.files.map(\.bytes), [Array("ab".utf8), Array("cde".utf8)])
        // /etc/b grew between `wc` and `cat`: the sizes do not add up, no file is taken.
        let grown = CommandResult(stdout: framed(["11", "2 /etc/a\n3 /etc/b\n5 total", "abcdef"]), stderr: framed(["", "", ""]), status: 0)
        XCTAssertEqual(batch.parse(grown)?.files.count, 0)
        // Output cut short (the connection dropped): nothing at all.
        let cut = CommandResult(stdout: Array(framed(["11", "2 /etc/a\n3 /etc/b\n5 total", "abcde"]).dropLast(4)), stderr: framed(["", "", ""]), status: 0)
        XCTAssertNil(batch.parse(cut))
    }

    /// Two ops writing one file back to back (nova.conf's two sections) cost one write; a
    /// command between them (which might read the file) keeps them apart.
    func testWritesOfOneFileWithNothingBetweenThemBecomeOne() {
        func write(_ path: String, _ before: String?, _ after: String) -> PlannedAction {
            .writeFile(path: path, before: before.map { Array($0.utf8) }, after: Array(after.utf8),
                       options: WriteOptions(backupPath: path + ".crucible~"))
        }
        let steps: [ApplyQueue.Step] = [
            .init(action: write("/etc/a", "0", "1"), record: 0),
            .init(action: write("/etc/b", "x", "y"), record: 1),
            .init(action: write("/etc/a", "1", "2"), record: 2),
            .init(action: .run(command: "restart", summary: "restart"), record: 3),
            .init(action: write("/etc/a", "2", "3"), record: 4),
        ]
        let merged = ApplyQueue.coalesced(steps)
        XCTAssertEqual(merged.map(\.action), [write("/etc/a", "0", "2"), write("/etc/b", "x", "y"),
                                              .run(command: "restart", summary: "restart"), write("/etc/a", "2", "3")])
        XCTAssertEqual(merged.map(\.record), [0, 1, 3, 4], "the merged write belongs to the first op")
    }

    func testAWriteForgetsTheProbesThatReadTheFileButKeepsTheOthers() async throws {
        try write("conf", Array("x\n".utf8))
        let cache = CachingTransport(LocalTransport())
        let statProbe = Probe(ShellQuote.command(["test", "-e", path("conf")]), reads: [.path(path("conf"))])
        // It names the file in its text but declares it reads something else: the declaration counts.
        let otherProbe = Probe("echo " + path("conf"), reads: [.service("sshd")])
        _ = try await cache.probe(statProbe)
        _ = try await cache.probe(otherProbe)
        try await cache.writeFile(path("conf"), contents: Array("y\n".utf8), options: WriteOptions())
        XCTAssertNil(cache.cachedProbe(statProbe), "a probe of the written path is stale")
        XCTAssertNotNil(cache.cachedProbe(otherProbe), "a probe of something else stays")
        XCTAssertEqual(cache.cachedFile(path("conf")), .some(Array("y\n".utf8)), "the written bytes are what is cached")
    }

    func testACommandForgetsWhatItsEffectTouchesOrEverything() async throws {
        let cache = CachingTransport(LocalTransport())
        try write("saved", Array("rules\n".utf8))
        let rules = Probe("echo rules", reads: [.packetFilter])
        let status = Probe("echo status", reads: [.service("x")])
        let directory = Probe("echo dir", reads: [.path(self.directory.path)])
        let mounts = Probe("echo mounts", reads: [.mounts])
        _ = try await cache.readFile(path("saved"))
        for probe in [rules, status, directory, mounts] { _ = try await cache.probe(probe) }
        cache.invalidate(.changes(.packetFilter, .contents(path("saved"))))
        XCTAssertNil(cache.cachedProbe(rules))
        XCTAssertNil(cache.cachedFile(path("saved")))
        XCTAssertNotNil(cache.cachedProbe(status))
        // Creating a path below a directory changes what a probe of the directory reads.
        cache.invalidate(.metadata(of: path("new/sub")))
        XCTAssertNil(cache.cachedProbe(directory))
        XCTAssertNotNil(cache.cachedProbe(status))
        // Stopping a service may stop others: every service's status is read again.
        cache.invalidate(.changes(.services))
        XCTAssertNil(cache.cachedProbe(status))
        XCTAssertNotNil(cache.cachedProbe(mounts))
        cache.invalidate(.anything)
        XCTAssertNil(cache.cachedProbe(mounts))
    }

    /// A recipe's own check command declares nothing: check mode reads what it reads off its words.
    func testARecipeCommandReadsTheWholeWordsItNames() {
        let reads = GuessedReads.of("test -d /etc/sysconfig && systemctl is-active nfs-server; grep -q x '/etc/exports'")
        XCTAssertTrue(reads.contains(.path("/etc/sysconfig")))
        XCTAssertTrue(reads.contains(.contents("/etc/exports")), "quoted paths are words too")
        XCTAssertTrue(reads.contains(.service("nfs-server")))
        XCTAssertFalse(reads.contains(.service("nfs")), "nfs-server is another name than nfs")
        XCTAssertFalse(GuessedReads.of("cat /etc/sysconfig/iptables").contains(.path("/etc/sysconfig")))
        XCTAssertTrue(GuessedReads.of("iptables-save -t filter").contains(.packetFilter))
        XCTAssertTrue(GuessedReads.of("/usr/sbin/exportfs -v").contains(.exports), "a tool run by its path")
        XCTAssertTrue(GuessedReads.of("getent passwd nova").isSuperset(of: [.user("nova"), .contents("/etc/passwd")]))
        XCTAssertFalse(GuessedReads.of("getent passwd nova").overlaps([HostState.mounts]))
    }

    /// A read that was under way when a change came in answers its caller, but is not kept:
    /// it may be what the host held before the change.
    func testAnAnswerFetchedAcrossAChangeIsNotCached() async throws {
        let slow = SlowReads()
        let cache = CachingTransport(slow)
        async let read = cache.readFile("/etc/x")
        await slow.started()
        cache.assumeWritten("/etc/y", Array("new\n".utf8))
        slow.finish()
        _ = try await read
        XCTAssertNil(cache.cachedFile("/etc/x"), "a change came in while it was read: not kept")
        XCTAssertEqual(cache.cachedFile("/etc/y"), .some(Array("new\n".utf8)))
        // With nothing changing meanwhile, the answer is kept.
        async let again = cache.readFile("/etc/x")
        await slow.started()
        slow.finish()
        _ = try await again
        XCTAssertEqual(cache.cachedFile("/etc/x"), .some(Array("old\n".utf8)))
    }
}

/// A transport whose file reads wait until the test lets them finish.
private final class SlowReads: Transport, Sendable {
    private let state = Mutex<(reading: Bool, release: Bool)>((false, false))
    var target: HostTarget { HostTarget(address: "slow") }
    func connect() async throws {}
    func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        CommandResult(stdout: [], stderr: [], status: 0)
    }
    func readFile(_ path: String) async throws -> [UInt8]? {
        state.withLock { $0.reading = true }
        while !state.withLock({ $0.release }) { try await Task.sleep(nanoseconds: 1_000_000) }
        state.withLock { $0 = (false, false) }
        return Array("old\n".utf8)
    }
    func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {}
    func stats() -> TransportStats { TransportStats() }
    func close() async {}

    func started() async {
        while !state.withLock({ $0.reading }) { try? await Task.sleep(nanoseconds: 1_000_000) }
    }
    func finish() { state.withLock { $0.release = true } }
}
