import DSL
import Foundation
import Synchronization

/// Read-ahead: before a host runs an `on` block, the block is evaluated once in check mode
/// against the run's read cache, silently. Every file read and probe the ops would make that
/// is not cached yet is noted instead of run; the notes are then fetched in ONE exec
/// (`CachingTransport.prefetch`), and the pass is repeated for reads that depend on earlier
/// answers. The real pass then plans from the cache: a block whose ops find nothing to change
/// costs one exec, not one per op. Ops still decide in the real pass, from the same bytes a
/// direct read would give; anything changed meanwhile by this run forgets its cached reads.
enum ReadAhead {
    /// Ends a read-ahead pass early (a nested `on` block, an error: the real pass reports it).
    struct Stop: Error {}
    /// A read that is not cached: noted, and the op that wanted it gives up for this pass.
    struct Miss: Error {}

    /// Passes before the real one: the first finds most reads, the second those that depend
    /// on the first's answers (a path read from a file); past that the ops read for themselves.
    static let maxPasses = 2
}

extension Evaluator {
    func readAhead(_ body: Block, on target: HostTarget, through caching: CachingTransport,
                   context: any HostContext, in env: Environment) async {
        var fetched = Set<String>()
        for _ in 0..<ReadAhead.maxPasses {
            let notes = ReadNotes()
            let speculative = ReadAheadContext(real: context, caching: caching, notes: notes)
            let run = HostRun(target: target, context: speculative, speculative: true)
            let scope = Environment(parent: env)
            scope.define("host", .host(target))
            do {
                for statement in body.statements { try await execute(statement, in: scope, on: run) }
            } catch {
                // Whatever stopped the pass, the real pass meets it again and reports it.
            }
            let (files, probes) = notes.taken()
            let new = files.filter { !fetched.contains("f:" + $0) } + probes.filter { !fetched.contains("p:" + $0.command) }.map(\.command)
            guard !new.isEmpty else { return }
            fetched.formUnion(files.map { "f:" + $0 } + probes.map { "p:" + $0.command })
            await caching.prefetch(files: files, probes: probes)
        }
    }

    /// An op in the read-ahead pass: plans only; a read that is not cached makes it a
    /// no-change placeholder, so the ops after it still get their reads noted.
    func speculate(_ op: OpSpec, _ location: String, _ body: () async throws -> Any) async throws -> (value: Value, record: OpRecord) {
        let record = OpRecord(op: op.name, location: location, status: .ok)
        do {
            let result = try await body()
            if let outcome = result as? OpRecord { return (outcome.value, record) }
            return (result as? Value ?? .none, record)
        } catch is ReadAhead.Miss where op.isChangingOp {
            return (OpRecord(op: op.name, location: location, status: .ok, details: op.completing([:])).value, record)
        }
    }
}

/// The reads a read-ahead pass wanted and did not find cached, in order, without repeats.
final class ReadNotes: Sendable {
    private let notes = Mutex<(files: [String], probes: [Probe])>(([], []))

    func file(_ path: String) {
        notes.withLock { if !$0.files.contains(path) { $0.files.append(path) } }
    }

    func probe(_ probe: Probe) {
        notes.withLock { if !$0.probes.contains(probe) { $0.probes.append(probe) } }
    }

    func taken() -> (files: [String], probes: [Probe]) {
        notes.withLock { $0 }
    }
}

/// What ops see in a read-ahead pass: check mode, the real facts, and reads answered from
/// the cache or noted and refused. Nothing reaches the host from here.
struct ReadAheadContext: HostContext {
    let real: any HostContext
    let caching: CachingTransport
    let notes: ReadNotes

    var target: HostTarget { real.target }
    var transport: any Transport { ReadAheadTransport(caching: caching, notes: notes) }
    var checkMode: Bool { true }
    var backupsByDefault: Bool { real.backupsByDefault }
    func facts() async throws -> HostFacts { try await real.facts() }
    func facts(of other: HostTarget) async throws -> HostFacts { try await real.facts(of: other) }

    func probe(_ probe: Probe) async throws -> CommandResult {
        if let known = caching.cachedProbe(probe) { return known }
        notes.probe(probe)
        throw ReadAhead.Miss()
    }
}

/// The transport of a read-ahead pass: cached file reads only. Commands that are not probes
/// (an `unless` guard) are neither run nor noted.
final class ReadAheadTransport: Transport, Sendable {
    let caching: CachingTransport
    let notes: ReadNotes

    init(caching: CachingTransport, notes: ReadNotes) {
        self.caching = caching
        self.notes = notes
    }

    var target: HostTarget { caching.target }
    func connect() async throws {}
    func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult { throw ReadAhead.Miss() }

    func readFile(_ path: String) async throws -> [UInt8]? {
        if let cached = caching.cachedFile(path) { return cached }
        notes.file(path)
        throw ReadAhead.Miss()
    }

    func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws { throw ReadAhead.Miss() }
    func stats() -> TransportStats { TransportStats() }
    func close() async {}
}
