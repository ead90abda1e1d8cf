import Foundation

/// A host's transport for one run, with file reads and read-only probes cached (the host's
/// `HostPipeline` applies pending changes before a read the cache cannot answer): several ops
/// that read the same file (two `edit-ini` sections of nova.conf) or the same state
/// (`iptables-save` for five `open-port`s) cost one exec, and `prefetch` answers many of them
/// with one exec before the ops ask (see `ReadAhead`).
///
/// What a change forgets: a write updates that file's entry and forgets the probes that read
/// the file or its path (`Probe.reads`: `stat`, `test -e`); a planned command forgets the
/// reads its op says it may change (`CommandEffect`), everything unless the op is specific.
public final class CachingTransport: Transport, @unchecked Sendable {
    public let inner: any Transport
    private let lock = NSLock()
    private var files: [String: [UInt8]?] = [:]
    private var probes: [Probe: CommandResult] = [:]
    private var batchedBytesWritten = 0

    public init(_ inner: any Transport) {
        self.inner = inner
    }

    public var target: HostTarget { inner.target }

    public func connect() async throws { try await inner.connect() }

    public func startHeld(_ command: String) async throws -> (any HeldCommand)? { try await inner.startHeld(command) }

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
    public func probe(_ probe: Probe) async throws -> CommandResult {
        if let known = cachedProbe(probe) { return known }
        let result = try await inner.run(probe.command, stdin: nil, timeout: nil)
        rememberProbe(probe, result)
        return result
    }

    public func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        forgetWrite(of: path)
        try await inner.writeFile(path, contents: contents, options: options)
        store(path, contents)
    }

    public func stats() -> TransportStats {
        var stats = inner.stats()
        stats.bytesWritten += lock.withLock { batchedBytesWritten }
        return stats
    }

    /// File bytes written by batches (`ApplyQueue`), which go through `run`, not `writeFile`.
    func countBatchedWrite(_ bytes: Int) {
        lock.withLock { batchedBytesWritten += bytes }
    }

    public func close() async { await inner.close() }

    // MARK: - Pending changes

    /// A write that is queued: the cache holds the new bytes, as if it had been applied.
    func assumeWritten(_ path: String, _ contents: [UInt8]) {
        forgetWrite(of: path)
        store(path, contents)
    }

    // MARK: - Read-ahead

    /// Reads the files and runs the probes that are not cached yet, all in one exec, and
    /// caches the answers. Called where no change is pending (a block's start). Best effort: an item the batch could not answer cleanly (a file
    /// that cannot be read, the exec failing) is left out, so the op that needs it reads it
    /// itself and reports the error where it belongs.
    public func prefetch(files wanted: [String], probes wantedProbes: [Probe]) async {
        let paths = wanted.filter { cachedFile($0) == nil }
        let probes = wantedProbes.filter { cachedProbe($0) == nil }
        // Even one item is worth fetching now: read later, with changes queued, it would
        // split their batch in two.
        guard !paths.isEmpty || !probes.isEmpty else { return }
        let batch = ReadBatch(files: paths, probes: probes.map(\.command))
        guard let result = try? await inner.run(batch.command, stdin: nil, timeout: nil),
              let answers = batch.parse(result) else { return }
        for (path, bytes) in answers.files { store(path, bytes) }
        for (index, answer) in answers.probes.enumerated() { rememberProbe(probes[index], answer.result) }
    }

    /// The cached bytes of a file: `.some(nil)` when it is known not to exist, nil when not cached.
    public func cachedFile(_ path: String) -> [UInt8]?? {
        lock.lock(); defer { lock.unlock() }
        return files[path]
    }

    public func cachedProbe(_ probe: Probe) -> CommandResult? {
        lock.lock(); defer { lock.unlock() }
        return probes[probe]
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
        case .limited(let changed):
            lock.lock(); defer { lock.unlock() }
            for path in effect.files ?? [] { files[path] = nil }
            probes = probes.filter { probe, _ in !changed.overlaps(probe.reads) }
        }
    }

    private func rememberProbe(_ probe: Probe, _ result: CommandResult) {
        lock.lock(); defer { lock.unlock() }
        probes[probe] = result
    }

    private func store(_ path: String, _ bytes: [UInt8]?) {
        lock.lock(); defer { lock.unlock() }
        files[path] = .some(bytes)
    }

    /// A write changes the file and whatever probes read its bytes or its path (`stat`,
    /// `test -e`). Its directory stays what it was: writes create no directory, and no probe
    /// lists one.
    private func forgetWrite(of path: String) {
        let written: Set<HostState> = [.contents(path), .path(path)]
        lock.lock(); defer { lock.unlock() }
        files[path] = nil
        probes = probes.filter { probe, _ in !written.overlaps(probe.reads) }
    }
}
