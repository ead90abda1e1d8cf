import Foundation

/// A host's transport for one run, with file reads and read-only probes cached: several ops
/// that read the same file (two `edit-ini` sections of nova.conf) or the same state
/// (`iptables-save` for five `open-port`s) cost one exec, and `prefetch` answers many of them
/// with one exec before the ops ask (see `ReadAhead`).
///
/// What a change forgets: a write updates that file's entry and forgets the probes that name
/// the file or one of its directories (`stat`, `test -e`); a planned command forgets what its
/// op says it may change (`CommandEffect`), everything unless the op is specific.
public final class CachingTransport: Transport, @unchecked Sendable {
    public let inner: any Transport
    private let lock = NSLock()
    private var files: [String: [UInt8]?] = [:]
    private var probes: [String: CommandResult] = [:]

    public init(_ inner: any Transport) {
        self.inner = inner
    }

    public var target: HostTarget { inner.target }

    public func connect() async throws { try await inner.connect() }

    public func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        try await inner.run(command, stdin: stdin, timeout: timeout)
    }

    public func readFile(_ path: String) async throws -> [UInt8]? {
        if let cached = cachedFile(path) { return cached }
        let bytes = try await inner.readFile(path)
        store(path, bytes)
        return bytes
    }

    /// A read-only command's result, run once until something may have changed the host.
    public func probe(_ command: String) async throws -> CommandResult {
        if let known = cachedProbe(command) { return known }
        let result = try await inner.run(command, stdin: nil, timeout: nil)
        rememberProbe(command, result)
        return result
    }

    public func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        forgetWrite(of: path)
        try await inner.writeFile(path, contents: contents, options: options)
        store(path, contents)
    }

    public func stats() -> TransportStats { inner.stats() }

    public func close() async { await inner.close() }

    // MARK: - Read-ahead

    /// Reads the files and runs the probes that are not cached yet, all in one exec, and
    /// caches the answers. Best effort: an item the batch could not answer cleanly (a file
    /// that cannot be read, the exec failing) is left out, so the op that needs it reads it
    /// itself and reports the error where it belongs.
    public func prefetch(files wanted: [String], probes commands: [String]) async {
        let paths = wanted.filter { cachedFile($0) == nil }
        let probeCommands = commands.filter { cachedProbe($0) == nil }
        guard paths.count + probeCommands.count > 1 else {
            // One item is one exec either way: let the op read it when it needs it.
            return
        }
        let batch = ReadBatch(files: paths, probes: probeCommands)
        guard let result = try? await inner.run(batch.command, stdin: nil, timeout: nil),
              let answers = batch.parse(result) else { return }
        for (path, bytes) in answers.files { store(path, bytes) }
        for (command, answer) in answers.probes { rememberProbe(command, answer) }
    }

    /// The cached bytes of a file: `.some(nil)` when it is known not to exist, nil when not cached.
    public func cachedFile(_ path: String) -> [UInt8]?? {
        lock.lock(); defer { lock.unlock() }
        return files[path]
    }

    public func cachedProbe(_ command: String) -> CommandResult? {
        lock.lock(); defer { lock.unlock() }
        return probes[command]
    }

    // MARK: - Forgetting

    /// Forgets every cached read.
    public func invalidate() {
        lock.lock(); defer { lock.unlock() }
        files = [:]
        probes = [:]
    }

    /// Forgets what a command with this effect may have changed.
    public func invalidate(_ effect: CommandEffect) {
        switch effect {
        case .anything:
            invalidate()
        case .limited(let words, let paths):
            lock.lock(); defer { lock.unlock() }
            for path in paths { files[path] = nil }
            probes = probes.filter { command, _ in
                !words.contains { command.contains($0) } && !paths.contains { command.contains($0) }
            }
        }
    }

    private func rememberProbe(_ command: String, _ result: CommandResult) {
        lock.lock(); defer { lock.unlock() }
        probes[command] = result
    }

    private func store(_ path: String, _ bytes: [UInt8]?) {
        lock.lock(); defer { lock.unlock() }
        files[path] = .some(bytes)
    }

    /// A write changes the file and whatever probes look at it or at its directories.
    private func forgetWrite(of path: String) {
        lock.lock(); defer { lock.unlock() }
        files[path] = nil
        let names = CommandEffect.pathAndDirectories(path)
        probes = probes.filter { command, _ in !names.contains { command.contains($0) } }
    }
}
