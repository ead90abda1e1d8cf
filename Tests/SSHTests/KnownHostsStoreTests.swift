import Foundation
import XCTest
@testable import SSH

/// The run's known_hosts store without a server: one read of a file for all the hosts of
/// a run, the lines it picks for a host the same as a parse of every line would, keys the
/// run records seen at once, and any change by someone else read again, an unreadable
/// file staying an error.
final class KnownHostsStoreTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "crucible-known-hosts-store-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        chmod(directory, 0o755)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A syntactically valid ed25519 key blob; `filler` tells keys apart.
    private func key(_ filler: UInt8) -> [UInt8] {
        let name = Array("ssh-ed25519".utf8)
        return [0, 0, 0, UInt8(name.count)] + name + [0, 0, 0, 4, filler, filler, filler, filler]
    }

    private func line(_ hosts: String, _ filler: UInt8 = 7) -> String {
        "\(hosts) ssh-ed25519 \(Data(key(filler)).base64EncodedString())"
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func append(_ text: String, to path: String) throws {
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
    }

    private func lines(_ store: KnownHostsStore, _ path: String, _ host: String, port: Int = 22) throws -> [Int] {
        try store.file(path: path, host: host, port: port).entries.map(\.line)
    }

    // MARK: - Once per run

    func testEveryHostOfARunIsLookedUpInOneReadOfTheFile() throws {
        let hosts = (1...64).map { "10.0.0.\($0)" }
        let path = try write("known_hosts", hosts.map { line($0) }.joined(separator: "\n") + "\n")
        let store = KnownHostsStore()
        let found = Found()
        // The way a run asks: every host's connection at once, each on its own thread.
        DispatchQueue.concurrentPerform(iterations: hosts.count) { index in
            found.record(hosts[index], Result { try store.file(path: path, host: hosts[index], port: 22).entries.map(\.line) })
        }
        let (entries, failures) = found.results
        XCTAssertEqual(failures, [])
        for (index, host) in hosts.enumerated() { XCTAssertEqual(entries[host], [index + 1], host) }
        XCTAssertEqual(store.reads(of: path), 1)
        XCTAssertEqual(try lines(store, path, "10.0.0.99"), [], "a host the file does not name")
        XCTAssertEqual(store.reads(of: path), 1)
    }

    func testTheLinesPickedForAHostAreThoseAParseOfEveryLineFinds() throws {
        let salt = [UInt8](repeating: 3, count: 20)
        let hashed = { (name: String) in
            let hash = KnownHostsPattern.hmacSHA1(key: salt, message: Array(name.utf8)) ?? []
            return "|1|\(Data(salt).base64EncodedString())|\(Data(hash).base64EncodedString())"
        }
        let text = [
            "# a comment naming web1", line("web1"), line("WEB2,web1", 2), line("web*", 3), line("*,!web1", 4),
            line("!web3,web3", 5), line("[web1]:2222", 6), line("@revoked web1", 7), line("@cert-authority *.example", 8),
            line("@bogus web1", 9), "web1", "@revoked", "", "   \t", line(hashed("web1"), 10), line(hashed("[web2]:2222"), 11),
            line("web?", 12) + "\r", line("a.example,b.example", 13), line("web1,web1", 14), "web1 ssh-ed25519 !!!",
            line("Web3", 15), line("w\u{E9}b1", 16), line(",web4", 17),
        ].joined(separator: "\n")
        let bytes = Array(text.utf8)
        let names = ["web1", "web2", "web3", "web4", "web12", "a.example", "b.example", "c.example", "[web1]:2222",
                     "[web2]:2222", "w\u{E9}b1", "", "nothing"]
        for name in names {
            let everyLine = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
                .compactMap { KnownHostsEntry($1, line: $0 + 1, about: name) }
            let indexed = KnownHostsIndex(bytes).entries(about: name)
            XCTAssertEqual(indexed.map(\.line), everyLine.map(\.line), name)
            XCTAssertEqual(indexed.map(\.key), everyLine.map(\.key), name)
        }
        // The same after the file was written in pieces (accept-new appends to the end).
        var pieces = KnownHostsIndex([])
        var start = 0
        for end in stride(from: 37, to: bytes.count, by: 37) + [bytes.count] {
            pieces.append(Array(bytes[start..<end]))
            start = end
        }
        for name in names {
            XCTAssertEqual(pieces.entries(about: name).map(\.line), KnownHostsIndex(bytes).entries(about: name).map(\.line), name)
        }
    }

    // MARK: - Keys this run records

    func testAKeyTheRunRecordsIsSeenByTheNextLookupWithoutAnotherRead() throws {
        let path = try write("known_hosts", line("web1"))  // no newline at the end
        let store = KnownHostsStore()
        XCTAssertEqual(try lines(store, path, "web2"), [])
        try store.append(line("web2", 2), to: path)
        XCTAssertEqual(try lines(store, path, "web2"), [2])
        XCTAssertEqual(try store.file(path: path, host: "web2", port: 22).entries.first?.key, key(2))
        XCTAssertEqual(try lines(store, path, "web1"), [1])
        XCTAssertEqual(store.reads(of: path), 1)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), line("web1") + "\n" + line("web2", 2) + "\n")
        XCTAssertEqual(try lines(KnownHostsStore(), path, "web2"), [2], "what a fresh read finds")
    }

    func testAKeyRecordedInAMissingFileIsSeen() throws {
        let path = directory + "/ssh/known_hosts"
        let store = KnownHostsStore()
        XCTAssertEqual(try lines(store, path, "web1"), [], "a missing file is empty")
        try store.append(line("web1"), to: path)
        XCTAssertEqual(try lines(store, path, "web1"), [1])
        XCTAssertEqual(store.reads(of: path), 1)
    }

    // MARK: - Changes by someone else

    func testAnAppendBySomeoneElseIsRead() throws {
        let path = try write("known_hosts", line("web1") + "\n")
        let store = KnownHostsStore()
        XCTAssertEqual(try lines(store, path, "web2"), [])
        try append(line("web2", 2) + "\n", to: path)
        XCTAssertEqual(try lines(store, path, "web2"), [2])
        XCTAssertEqual(store.reads(of: path), 2)
    }

    func testAnAppendBySomeoneElseBeforeTheRunRecordsAKeyIsRead() throws {
        let path = try write("known_hosts", line("web1") + "\n")
        let store = KnownHostsStore()
        XCTAssertEqual(try lines(store, path, "web1"), [1])
        try append(line("web2", 2) + "\n", to: path)
        try store.append(line("web3", 3), to: path)
        XCTAssertEqual(try lines(store, path, "web2"), [2])
        XCTAssertEqual(try lines(store, path, "web3"), [3])
        XCTAssertEqual(store.reads(of: path), 2)
    }

    func testAKeyRemovedBySomeoneElseIsGone() throws {
        let path = try write("known_hosts", line("web1") + "\n" + line("web2", 2) + "\n")
        let store = KnownHostsStore()
        XCTAssertEqual(try lines(store, path, "web1"), [1])
        // What `ssh-keygen -R web1` does: a new file renamed over the old one.
        _ = try write("known_hosts.new", line("web2", 2) + "\n")
        XCTAssertEqual(rename(directory + "/known_hosts.new", path), 0)
        XCTAssertEqual(try lines(store, path, "web1"), [])
        XCTAssertEqual(try lines(store, path, "web2"), [1])
    }

    func testAFileThatBecomesUnreadableIsAnErrorNotTheCopyReadBefore() throws {
        let path = try write("known_hosts", line("web1") + "\n")
        chmod(path, 0o644)
        let store = KnownHostsStore()
        XCTAssertEqual(try lines(store, path, "web1"), [1])

        // Root reads anything: read as another user to get "permission denied".
        chmod(path, 0o600)
        XCTAssertEqual(seteuid(65534), 0)
        let denied = Result { try store.file(path: path, host: "web1", port: 22) }
        XCTAssertEqual(seteuid(0), 0)
        XCTAssertTrue(unreadable(denied, path).contains("Permission denied"), unreadable(denied, path))

        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        let directory = Result { try store.file(path: path, host: "web1", port: 22) }
        XCTAssertTrue(unreadable(directory, path).contains("directory"), unreadable(directory, path))
    }

    /// The message of a "cannot read the known_hosts file" refusal; empty for anything else.
    private func unreadable(_ result: Result<KnownHostsFile, any Error>, _ path: String) -> String {
        guard case .failure(let error) = result, case .hostKey(let message)? = error as? ConnectFailure,
              message.hasPrefix("cannot read the known_hosts file \(path): ")
        else { return "" }
        return message
    }
}

/// Lookups made from several threads at once, gathered under a lock.
private final class Found: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: [Int]] = [:]
    private var failures: [String] = []

    func record(_ host: String, _ result: Result<[Int], any Error>) {
        lock.lock()
        defer { lock.unlock() }
        switch result {
        case .success(let lines): entries[host] = lines
        case .failure(let error): failures.append("\(host): \(error)")
        }
    }

    var results: (entries: [String: [Int]], failures: [String]) {
        lock.lock()
        defer { lock.unlock() }
        return (entries, failures)
    }
}
