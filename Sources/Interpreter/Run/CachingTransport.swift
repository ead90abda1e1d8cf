import Foundation
import Synchronization

/// A host's transport for one run, with file reads and read-only probes cached (the host's
/// `HostPipeline` applies pending changes before a read the cache cannot answer): several ops
/// that read the same file (two `edit-ini` sections of nova.conf) or the same state
/// (`iptables-save` for five `open-port`s) cost one exec, and `prefetch` answers many of them
/// with one exec before the ops ask (see `ReadAhead`).
///
/// What a change forgets: a write updates that file's entry and forgets the probes that read
/// the file or its path (`Probe.reads`: `stat`, `test -e`); a planned command forgets the
/// reads its op says it may change (`CommandEffect`), everything unless the op is specific.
///
/// An answer read from the host is kept only if no change came in while it was being read
/// (`Cache.generation`): a write or a command applied meanwhile would make it stale.
public final class CachingTransport: Transport, Sendable {
    public let inner: any Transport
    private let cache = Mutex(Cache())

    private struct Cache {
        var files: [String: [UInt8]?] = [:]
        var probes: [Probe: CommandResult] = [:]
        var batchedBytesWritten = 0
        /// Counts the changes and forgettings: an answer fetched while it moved may be stale.
        var generation = 0

        mutating func forget(where stale: (Probe) -> Bool) {
            probes = probes.filter { probe, _ in !stale(probe) }
        }
    }

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
        let generation = cache.withLock { $0.generation }
        let bytes = try await inner.readFile(path)
        cache.withLock { if $0.generation == generation { $0.files[path] = .some(bytes) } }
        return bytes
    }

    /// A read-only command's result, run once until a change may have altered what it reads.
    public func probe(_ probe: Probe) async throws -> CommandResult {
        if let known = cachedProbe(probe) { return known }
        let generation = cache.withLock { $0.generation }
        let result = try await inner.run(probe.command, stdin: nil, timeout: nil)
        cache.withLock { if $0.generation == generation { $0.probes[probe] = result } }
        return result
    }

    public func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        forgetWrite(of: path)
        try await inner.writeFile(path, contents: contents, options: options)
        cache.withLock { $0.files[path] = .some(contents) }
    }

    public func stats() -> TransportStats {
        var stats = inner.stats()
        stats.bytesWritten += cache.withLock { $0.batchedBytesWritten }
        return stats
    }

    /// File bytes written by batches (`ApplyQueue`), which go through `run`, not `writeFile`.
    func countBatchedWrite(_ bytes: Int) {
        cache.withLock { $0.batchedBytesWritten += bytes }
    }

    public func close() async { await inner.close() }

    // MARK: - Pending changes

    /// A write that is queued: the cache holds the new bytes, as if it had been applied.
    func assumeWritten(_ path: String, _ contents: [UInt8]) {
        forgetWrite(of: path)
        cache.withLock { $0.files[path] = .some(contents) }
    }

    // MARK: - Read-ahead

    /// Reads the files and runs the probes that are not cached yet, all in one exec, and
    /// caches the answers. Called where no change is pending (a block's start). Best effort:
    /// an item the batch could not answer cleanly (a file that cannot be read, the exec
    /// failing) is left out, so the op that needs it reads it itself and reports the error
    /// where it belongs.
    public func prefetch(files wanted: [String], probes wantedProbes: [Probe]) async {
        let paths = wanted.filter { cachedFile($0) == nil }
        let probes = wantedProbes.filter { cachedProbe($0) == nil }
        // Even one item is worth fetching now: read later, with changes queued, it would
        // split their batch in two.
        guard !paths.isEmpty || !probes.isEmpty else { return }
        let generation = cache.withLock { $0.generation }
        let batch = ReadBatch(files: paths, probes: probes.map(\.command))
        guard let result = try? await inner.run(batch.command, stdin: nil, timeout: nil),
              let answers = batch.parse(result) else { return }
        cache.withLock { cache in
            guard cache.generation == generation else { return }
            for (path, bytes) in answers.files { cache.files[path] = .some(bytes) }
            for (index, answer) in answers.probes.enumerated() { cache.probes[probes[index]] = answer.result }
        }
    }

    /// The cached bytes of a file: `.some(nil)` when it is known not to exist, nil when not cached.
    public func cachedFile(_ path: String) -> [UInt8]?? {
        cache.withLock { $0.files[path] }
    }

    public func cachedProbe(_ probe: Probe) -> CommandResult? {
        cache.withLock { $0.probes[probe] }
    }

    // MARK: - Forgetting

    /// Forgets every cached read.
    public func invalidate() {
        cache.withLock { cache in
            cache.files = [:]
            cache.probes = [:]
            cache.generation += 1
        }
    }

    /// Forgets what a command with this effect may have changed.
    public func invalidate(_ effect: CommandEffect) {
        switch effect {
        case .anything:
            invalidate()
        case .limited(let changed):
            cache.withLock { cache in
                for path in effect.files ?? [] { cache.files[path] = nil }
                cache.forget { changed.overlaps($0.reads) }
                cache.generation += 1
            }
        }
    }

    /// A write changes the file and whatever probes read its bytes or its path (`stat`,
    /// `test -e`). Its directory stays what it was: writes create no directory, and no probe
    /// lists one.
    private func forgetWrite(of path: String) {
        let written: Set<HostState> = [.contents(path), .path(path)]
        cache.withLock { cache in
            cache.files[path] = nil
            cache.forget { written.overlaps($0.reads) }
            cache.generation += 1
        }
    }
}
