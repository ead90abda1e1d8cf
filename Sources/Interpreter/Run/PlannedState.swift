import Foundation
import Synchronization

/// Check mode's picture of one host as it would be after the changes planned so far in the
/// run, so each op plans on the result of the ops before it, as it does in a real run.
///
/// The rules, in the order a read is answered:
/// 1. A file a planned op would write reads as the bytes it would write.
/// 2. A probe an op predicted (`OpPlan.predicts`: the status of a service it would start)
///    reads as predicted.
/// 3. A read of a part of the state (`Probe.reads`: a unit's status, a path) that a planned
///    command may change (`CommandEffect`; everything for a command whose effect is not
///    declared) is **unknown**: check
///    mode does not run the command, so it cannot know the answer, and says so instead of
///    answering from the host as it is now. A real run would read the host again there.
/// 4. Anything else is read from the host: nothing planned touches it.
///
/// A real run never consults this: it applies its changes and reads the host again.
public final class PlannedState: Sendable {
    /// An answer for a read in check mode.
    public enum Answer<Known> {
        case planned(Known)
        /// What planned change makes it unknown ("`systemctl restart nfs` (service at r:3:1)").
        case unknown(because: String)
        /// Nothing planned touches it: ask the host.
        case host
    }

    private let state = Mutex(State())

    public init() {}

    public func file(_ path: String) -> Answer<[UInt8]?> {
        state.withLock { state in
            if let bytes = state.files[path] { return .planned(bytes) }
            if let because = state.everything ?? state.taint(of: [.contents(path)]) { return .unknown(because: because) }
            return .host
        }
    }

    public func probe(_ probe: Probe) -> Answer<CommandResult> {
        state.withLock { state in
            if let result = state.probes[probe] { return .planned(result) }
            if let predicted = state.probesReading.last(where: { probe.reads.contains($0.state) }) {
                // Its other reads must still hold (a drop-in's path created after the reload).
                let rest = probe.reads.filter { !$0.overlaps(predicted.state) }
                if let because = state.taint(of: rest) { return .unknown(because: because) }
                return .planned(predicted.result)
            }
            if let because = state.everything ?? state.taint(of: probe.reads) { return .unknown(because: because) }
            return .host
        }
    }

    /// A recipe's own check command (`unless:`, `probe`): unknown when what it reads
    /// (`GuessedReads`) is a file written or a part a planned change touches, or after a
    /// command whose effect is not declared; nil when the host can answer it.
    public func guardUnknown(_ command: String) -> String? {
        let reads = GuessedReads.of(command)
        return state.withLock { state in
            if let everything = state.everything { return everything }
            if let because = state.taint(of: reads) { return because }
            return state.files.keys.sorted().first { reads.contains(.contents($0)) }.map { "the planned write of \($0)" }
        }
    }

    /// Takes in an op's plan as if it had been applied. `op` names it in what becomes unknown.
    public func assume(_ plan: OpPlan, op: String) {
        let cause = { (summary: String) in "`\(summary)` (\(op)\(plan.calledAt.map { " at \($0)" } ?? ""))" }
        state.withLock { state in
            for action in plan.actions {
                switch action {
                case .writeFile(let path, let before, let after, let options):
                    state.files[path] = after
                    state.tainted.removeAll { $0.state == .contents(path) }
                    // Rewriting a file keeps its type, mode and owner, so probes of the path
                    // (`stat`, `test -L`) still answer as before. Creating it, or setting its
                    // mode or owner, changes what they say, which is not modelled here.
                    if before == nil || options.mode != nil || options.owner != nil {
                        state.taint([.path(path)], because: cause(before == nil ? "create \(path)" : "set the mode or owner of \(path)"))
                    }
                case .run(_, let summary, _):
                    state.taint(plan.effect, because: cause(summary))
                case .verify:
                    break
                }
            }
            if plan.changes, !plan.writesChange.isEmpty {
                state.taint(plan.writesChange, because: cause(plan.actions[0].summary))
            }
            for (part, result) in plan.predictsReading.sorted(by: { $0.key.description < $1.key.description }) {
                state.forgetPredictions(overlapping: [part])
                state.probesReading.append((part, result))
            }
            for (probe, result) in plan.predicts { state.probes[probe] = result }
        }
    }

    /// An op whose own plan is unknown may have changed what it may change (`OpSpec.mayChange`).
    public func assumeUnknown(op: String, at location: String, mayChange effect: CommandEffect) {
        state.withLock { state in
            state.taint(effect, because: "\(op) at \(location) (whose own changes are unknown)")
        }
    }

    /// The planned host, reached only under the mutex.
    private struct State {
        var files: [String: [UInt8]] = [:]
        var probes: [Probe: CommandResult] = [:]
        /// What every probe reading a part of the state answers (`OpPlan.predictsReading`),
        /// latest last.
        var probesReading: [(state: HostState, result: CommandResult)] = []
        /// Set after a command that may change anything: every read not planned since is unknown.
        var everything: String?
        /// Parts of the state a planned command may have changed, with why.
        var tainted: [(state: HostState, because: String)] = []

        mutating func taint(_ effect: CommandEffect, because cause: String) {
            switch effect {
            case .anything:
                everything = cause
                files = [:]
                probes = [:]
                probesReading = []
                tainted = []
            case .limited(let states):
                taint(states, because: cause)
            }
        }

        mutating func taint(_ states: Set<HostState>, because cause: String) {
            for case .contents(let path) in states { files[path] = nil }
            forgetPredictions(overlapping: states)
            tainted += states.sorted { $0.description < $1.description }.map { ($0, cause) }
        }

        /// Forgets the predictions of probes that read any of `states`.
        mutating func forgetPredictions(overlapping states: Set<HostState>) {
            probes = probes.filter { probe, _ in !states.overlaps(probe.reads) }
            probesReading.removeAll { predicted in states.contains { $0.overlaps(predicted.state) } }
        }

        /// Why a read of `reads` is unknown, the latest cause first; nil when nothing planned
        /// touches them.
        func taint(of reads: some Collection<HostState>) -> String? {
            tainted.last { entry in reads.contains { $0.overlaps(entry.state) } }?.because
        }
    }
}

/// A read in check mode whose answer depends on a change the dry run does not make
/// (`PlannedState`): the op is reported "unknown in check mode" instead of guessed.
public struct UnknownInCheckMode: Error, Sendable {
    /// The planned change that makes it unknown.
    public let because: String
    /// What the op that could not be planned may change (`OpSpec.mayChange`).
    public var mayChange: CommandEffect = .anything
    public init(because: String) { self.because = because }

    public var reason: String { "unknown in check mode: it reads what \(because) would change" }
}
