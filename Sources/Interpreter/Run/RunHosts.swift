import Foundation

/// Makes the transport for a host (local or SSH), chosen by the CLI.
public typealias TransportFactory = @Sendable (HostTarget) throws -> any Transport

/// The run's connections: one transport per host, opened on first use and kept for the
/// whole run; facts gathered once per host. Also records each host's report.
public actor RunHosts {
    private let factory: TransportFactory
    private var transports: [HostTarget: any Transport] = [:]
    private var connecting: [HostTarget: Task<(any Transport, (any HeldCommand)?), Error>] = [:]
    private var connectionFailures: [HostTarget: TransportError] = [:]
    private var facts: [HostTarget: Task<HostFacts, Error>] = [:]
    private(set) var reports: [HostTarget: HostReport] = [:]
    private(set) var order: [HostTarget] = []
    /// Per host, each file this run replaced with the bytes it had before the run first
    /// touched it (nil: it did not exist), in the order they were first written.
    private var journals: [HostTarget: [(path: String, previous: [UInt8]?)]] = [:]

    private let lock: HostLock?
    /// Hosts connected only to read their facts (outside `--limit`): never locked.
    private let readOnly: @Sendable (HostTarget) -> Bool
    private let waitForLock: Bool
    private let lockTimeout: Double
    private let onLockWait: @Sendable (HostTarget, String) -> Void
    /// Per locked host: the keeper holding its lock, or the heartbeat task refreshing it
    /// (transports that cannot hold a command beside the others).
    private var keepers: [HostTarget: any HeldCommand] = [:]
    private var heartbeats: [HostTarget: Task<Void, Never>] = [:]
    private var locked: Set<HostTarget> = []
    /// The run's follow-up keys (read with the facts; cleared on release where a host
    /// finished); nil in sessions that keep none (the REPL).
    private(set) var followUps: FollowUps?
    /// Each connected host's pipeline (`HostPipeline`): its read cache and pending changes.
    private var pipelines: [HostTarget: HostPipeline] = [:]

    /// The host's pipeline for the whole run, made by `make` over its cached transport the
    /// first time (connecting the host if need be).
    func pipeline(for target: HostTarget, make: @Sendable (CachingTransport) -> HostPipeline) async throws -> HostPipeline {
        if let pipeline = pipelines[target] { return pipeline }
        guard let cache = try await transport(for: target) as? CachingTransport else {
            throw TransportError.io(host: target.name, message: "no cached transport for this host")
        }
        if let pipeline = pipelines[target] { return pipeline }
        let pipeline = make(cache)
        pipelines[target] = pipeline
        return pipeline
    }

    func setFollowUps(_ followUps: FollowUps?) { self.followUps = followUps }

    /// `lock` nil: no host locking (check mode, tests of single ops).
    public init(factory: @escaping TransportFactory, lock: HostLock? = nil, waitForLock: Bool = true,
                lockTimeout: Double = 600, readOnly: @escaping @Sendable (HostTarget) -> Bool = { _ in false },
                onLockWait: @escaping @Sendable (HostTarget, String) -> Void = { _, _ in }) {
        self.factory = factory
        self.lock = lock
        self.readOnly = readOnly
        self.waitForLock = waitForLock
        self.lockTimeout = lockTimeout
        self.onLockWait = onLockWait
    }

    /// The host's open transport; connects the first time (concurrent callers share it).
    public func transport(for target: HostTarget) async throws -> any Transport {
        if let transport = transports[target] { return transport }
        // A host that could not be reached is not tried again in this run (each attempt at
        // a dropped host would wait for the connect timeout).
        if let error = connectionFailures[target] { throw error }
        if let pending = connecting[target] { return try await pending.value.0 }
        let factory = self.factory
        let lock = readOnly(target) ? nil : self.lock
        let (wait, timeout, onWait, pendingFile) = (waitForLock, lockTimeout, onLockWait, followUps?.pendingFile)
        // Connect, then take the lock and read the facts in one exec (or just the facts),
        // and start the lock's keeper.
        let task = Task<(any Transport, (any HeldCommand)?), Error> {
            let transport = try factory(target)
            try await transport.connect()
            let facts: HostFacts
            var keeper: (any HeldCommand)?
            if let lock {
                facts = try await lock.acquire(transport, wait: wait, timeout: timeout) { onWait(target, $0) }
                keeper = await lock.startKeeper(transport)
            } else {
                facts = HostFacts.parse(try await transport.run(HostFacts.gatherCommand(pendingFile: pendingFile)).stdoutText)
            }
            await self.remember(facts, for: target)
            return (CachingTransport(transport), keeper)
        }
        connecting[target] = task
        do {
            let (transport, keeper) = try await task.value
            transports[target] = transport
            connecting[target] = nil
            if let lock {
                locked.insert(target)
                if let keeper {
                    keepers[target] = keeper
                } else {
                    heartbeats[target] = Task {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: .seconds(lock.heartbeatSeconds))
                            if Task.isCancelled { break }
                            await lock.refresh(transport)
                        }
                    }
                }
            }
            return transport
        } catch {
            connecting[target] = nil
            if let failure = error as? TransportError, failure.isFatalForHost { connectionFailures[target] = failure }
            throw error
        }
    }

    private func remember(_ gathered: HostFacts, for target: HostTarget) {
        if facts[target] == nil { facts[target] = Task { gathered } }
    }

    /// The host's facts: read when it was connected (connecting it now if need be).
    public func facts(for target: HostTarget) async throws -> HostFacts {
        if let known = facts[target] { return try await known.value }
        _ = try await transport(for: target)
        guard let known = facts[target] else {
            throw TransportError.io(host: target.name, message: "no facts were read while connecting")
        }
        return try await known.value
    }

    // MARK: - Rollback

    func journal(_ path: String, previous: [UInt8]?, on target: HostTarget) {
        var entries = journals[target] ?? []
        if !entries.contains(where: { $0.path == path }) { entries.append((path, previous)) }
        journals[target] = entries
    }

    /// Puts back every file this run changed on the host, newest first; returns what was
    /// restored (and what could not be).
    func rollBack(_ target: HostTarget) async -> [String] {
        guard let transport = transports[target], let entries = journals[target] else { return [] }
        var restored: [String] = []
        for entry in entries.reversed() {
            do {
                if let previous = entry.previous {
                    try await transport.writeFile(entry.path, contents: previous, options: WriteOptions())
                    restored.append("restored \(entry.path)")
                } else {
                    let result = try await transport.run(ShellQuote.command("rm", "-f", "--", entry.path))
                    if !result.succeeded { throw TransportError.io(host: target.name, message: result.stderrText.trimmed) }
                    restored.append("removed \(entry.path) (created by this run)")
                }
            } catch {
                restored.append("could not restore \(entry.path): \(error)")
            }
        }
        journals[target] = []
        reports[target]?.rolledBack = restored
        return restored
    }

    // MARK: - Reports

    func report(for target: HostTarget) -> HostReport {
        reports[target] ?? HostReport(host: target.name, address: target.description)
    }

    func register(_ target: HostTarget) {
        if reports[target] == nil {
            reports[target] = HostReport(host: target.name, address: target.description)
            order.append(target)
        }
    }

    func append(_ record: OpRecord, for target: HostTarget) {
        register(target)
        reports[target]?.ops.append(record)
    }

    func markFailed(_ target: HostTarget, status: HostReport.Status, error: String, failedAt: String? = nil) {
        register(target)
        reports[target]?.status = status
        reports[target]?.error = error
        reports[target]?.failedAt = failedAt
    }

    /// `log(...)` lines outside any host, and notes about the run as a whole.
    private(set) var runLogs: [LogLine] = []

    /// Records a log line where it came: after the ops its host has so far.
    func appendLog(_ message: String, location: String?, for target: HostTarget?) {
        guard let target else {
            runLogs.append(LogLine(message: message, location: location))
            return
        }
        register(target)
        let afterOps = reports[target]?.ops.count ?? 0
        reports[target]?.logs.append(LogLine(message: message, location: location, afterOps: afterOps))
    }

    func isFailed(_ target: HostTarget) -> Bool {
        guard let report = reports[target] else { return false }
        return report.status != .ok
    }

    /// Reports in the order hosts first appeared, with transport counters filled in.
    func finalReports() -> [HostReport] {
        order.map { target in
            var report = reports[target]!
            if let transport = transports[target] { report.stats = transport.stats() }
            return report
        }
    }

    /// Clears every host's failure: an interactive session goes on after a failed entry.
    func resetFailures() {
        for target in order {
            reports[target]?.status = .ok
            reports[target]?.error = nil
            reports[target]?.failedAt = nil
        }
    }

    /// Drops a host's connection (after it was lost), so its next use connects again.
    /// Every host's pipeline so far.
    func allPipelines() -> [HostPipeline] { Array(pipelines.values) }

    func forget(_ target: HostTarget) async {
        pipelines[target] = nil
        keepers[target] = nil
        heartbeats.removeValue(forKey: target)?.cancel()
        connecting[target] = nil
        connectionFailures[target] = nil
        facts[target] = nil
        if let transport = transports.removeValue(forKey: target) { await transport.close() }
    }

    func closeAll() async {
        for task in heartbeats.values { task.cancel() }
        await withTaskGroup(of: Void.self) { group in
            for keeper in keepers.values { group.addTask { await keeper.stop() } }
        }
        for (target, transport) in transports {
            if let lock, locked.contains(target) {
                // A host that reached the end without a failure has run every follow-up.
                let finished = reports[target].map { $0.status == .ok } ?? true
                await lock.release(transport, clearingFollowUpsOf: finished ? followUps?.keyPrefix : nil)
            }
            await transport.close()
        }
    }
}
