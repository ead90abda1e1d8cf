import Foundation
import Synchronization

/// The known_hosts files of one run, shared by all its connections (`SSHOptions` holds
/// one): each file is read and indexed once, not once per connection, which made every
/// host cost O(hosts) and the run O(hosts²) with a line per host.
///
/// The cache never hides what the file says: every lookup checks the file's stamp
/// (`stat(2)`), and a file changed by anyone else (a rewrite, an append, a `chmod`) is
/// read again. Keys this run records (accept-new) are appended through the store, which
/// adds them to its copy when nobody else wrote the file in between, so the next
/// connection sees them without a read. A file that exists but cannot be read is an
/// error each time it is asked for, never an empty file that accept-new would fill;
/// a missing file is empty.
///
/// Lookups block (file reads, the lock that makes one connection read while the others
/// wait): call them on a transport's worker thread, never on Swift's cooperative pool.
public final class KnownHostsStore: Sendable {
    private struct Loaded {
        /// The file's state the index was read at; `.unknown` is never trusted.
        var state: FileState
        var index: KnownHostsIndex
    }

    private struct Files {
        var loaded: [String: Loaded] = [:]
        var readCounts: [String: Int] = [:]

        /// The index of the file as it is now: the cached one while its stamp matches.
        mutating func current(_ path: String) throws -> KnownHostsIndex {
            let state = FileState(path: path)
            if state != .unknown, let cached = loaded[path], cached.state == state { return cached.index }
            loaded[path] = nil
            let (bytes, read) = try KnownHostsStore.contents(of: path)
            readCounts[path, default: 0] += 1
            let index = KnownHostsIndex(bytes)
            loaded[path] = Loaded(state: read, index: index)
            return index
        }
    }

    /// Held while a file is read or appended to: one connection reads, the others wait.
    private let files = Mutex(Files())

    public init() {}

    /// What the file at `path` says about `host` on `port` now.
    func file(path: String, host: String, port: Int) throws -> KnownHostsFile {
        try files.withLock { files in
            let name = KnownHostsFile.hostField(host: host, port: port)
            return KnownHostsFile(path: path, entries: try files.current(path).entries(about: name))
        }
    }

    /// Appends a line to the file (`KnownHostsAppender`: safe across threads and processes)
    /// and keeps this run's copy of the file in step with it.
    func append(_ line: String, to path: String) throws {
        try files.withLock { files in
            let appended = try KnownHostsAppender.append(line, to: path)
            guard var loaded = files.loaded.removeValue(forKey: path), let before = appended.before, let after = appended.after,
                  loaded.state == .present(before) || (loaded.state == .missing && before.size == 0 && loaded.index.bytes.isEmpty),
                  after.size == before.size + Int64(appended.bytes.count)
            else { return }
            loaded.index.append(appended.bytes)
            loaded.state = .present(after)
            files.loaded[path] = loaded
        }
    }

    /// How many times the file at `path` was read (for tests: once per run, plus once
    /// per change made by someone else).
    func reads(of path: String) -> Int {
        files.withLock { $0.readCounts[path, default: 0] }
    }

    // MARK: - Reading

    /// The file's bytes and the state they were read at; empty and `.missing` when it does
    /// not exist. The stamp is taken from the open descriptor after the last read, and
    /// is `.unknown` (not cached) if the file grew between the two.
    private static func contents(of path: String) throws -> ([UInt8], FileState) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return ([], .missing) }
        guard fd >= 0 else { throw unreadable(path, errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw unreadable(path, errno) }
            if count == 0 { break }
            bytes += buffer[0..<count]
        }
        guard let stamp = FileStamp(descriptor: fd), stamp.size == Int64(bytes.count) else { return (bytes, .unknown) }
        return (bytes, .present(stamp))
    }

    private static func unreadable(_ path: String, _ code: Int32) -> ConnectFailure {
        .hostKey("""
            cannot read the known_hosts file \(path): \(String(cString: strerror(code))). \
            Host keys cannot be checked without it: fix the file (or its permissions), or pass \
            another one with --known-hosts FILE
            """)
    }
}
