import Foundation

/// A host's transport for one run, with file reads and read-only probes cached: several ops
/// that read the same file (two `edit-ini` sections of nova.conf) or the same state
/// (`iptables-save` for five `open-port`s) cost one exec. Writes update the file cache and
/// forget the probes; a command run by an op's plan may change anything, so it empties
/// both (the executor says so through `invalidate()`).
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
        if let cached = cached(path) { return cached }
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
        forget(path)
        try await inner.writeFile(path, contents: contents, options: options)
        store(path, contents)
    }

    public func stats() -> TransportStats { inner.stats() }

    public func close() async { await inner.close() }

    /// Forgets every cached file.
    public func invalidate() {
        lock.lock(); defer { lock.unlock() }
        files = [:]
        probes = [:]
    }

    private func rememberProbe(_ command: String, _ result: CommandResult) {
        lock.lock(); defer { lock.unlock() }
        probes[command] = result
    }

    private func cachedProbe(_ command: String) -> CommandResult? {
        lock.lock(); defer { lock.unlock() }
        return probes[command]
    }

    private func cached(_ path: String) -> [UInt8]?? {
        lock.lock(); defer { lock.unlock() }
        return files[path]
    }

    private func store(_ path: String, _ bytes: [UInt8]?) {
        lock.lock(); defer { lock.unlock() }
        files[path] = .some(bytes)
    }

    private func forget(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        files[path] = nil
        probes = [:]
    }
}
