import Foundation

/// Check mode's picture of one host as it would be after the changes planned so far in the
/// run, so each op plans on the result of the ops before it, as it does in a real run.
///
/// The rules, in the order a read is answered:
/// 1. A file a planned op would write reads as the bytes it would write.
/// 2. A probe an op predicted (`OpPlan.predicts`: the status of a service it would start)
///    reads as predicted.
/// 3. A read that a planned command may change (`CommandEffect`: the probes naming a unit, a
///    path; everything for a command whose effect is not declared) is **unknown**: check
///    mode does not run the command, so it cannot know the answer, and says so instead of
///    answering from the host as it is now. A real run would read the host again there.
/// 4. Anything else is read from the host: nothing planned touches it.
///
/// A real run never consults this: it applies its changes and reads the host again.
public final class PlannedState: @unchecked Sendable {
    /// An answer for a read in check mode.
    public enum Answer<Known> {
        case planned(Known)
        /// What planned change makes it unknown ("`systemctl restart nfs` (service at r:3:1)").
        case unknown(because: String)
        /// Nothing planned touches it: ask the host.
        case host
    }

    private let lock = NSLock()
    private var files: [String: [UInt8]] = [:]
    private var probes: [String: CommandResult] = [:]
    /// What every probe naming a word answers (`OpPlan.predictsNaming`), latest last.
    private var probesNaming: [(word: String, result: CommandResult)] = []
    /// Set after a command that may change anything: every read not planned since is unknown.
    private var everything: String?
    /// Words (unit names, paths) whose probes a planned command may have changed, with why.
    private var words: [(word: String, because: String)] = []
    /// Files a planned command may have changed, with why.
    private var changedFiles: [String: String] = [:]

    public init() {}

    public func file(_ path: String) -> Answer<[UInt8]?> {
        lock.withLock {
            if let bytes = files[path] { return .planned(bytes) }
            if let because = changedFiles[path] ?? everything { return .unknown(because: because) }
            return .host
        }
    }

    public func probe(_ command: String) -> Answer<CommandResult> {
        lock.withLock {
            if let result = probes[command] { return .planned(result) }
            if let named = probesNaming.last(where: { CachingTransport.mentions(command, $0.word) }) { return .planned(named.result) }
            if let because = everything ?? mentioned(in: command) { return .unknown(because: because) }
            return .host
        }
    }

    /// A recipe's own check command (`unless:`, `probe`): it may read anything it names, so
    /// it is unknown when it names a file or unit a planned change touches, or after a
    /// command whose effect is not declared; nil when the host can answer it.
    public func guardUnknown(_ command: String) -> String? {
        lock.withLock {
            if let everything { return everything }
            if let because = mentioned(in: command) { return because }
            return files.keys.sorted().first { CachingTransport.mentions(command, $0) }.map { "the planned write of \($0)" }
        }
    }

    /// Takes in an op's plan as if it had been applied. `op` names it in what becomes unknown.
    public func assume(_ plan: OpPlan, op: String) {
        let cause = { (summary: String) in "`\(summary)` (\(op)\(plan.calledAt.map { " at \($0)" } ?? ""))" }
        lock.withLock {
            for action in plan.actions {
                switch action {
                case .writeFile(let path, let before, let after, let options):
                    files[path] = after
                    changedFiles[path] = nil
                    // Rewriting a file keeps its type, mode and owner, so probes of the path
                    // (`stat`, `test -L`) still answer as before. Creating it, or setting its
                    // mode or owner, changes what they say, which is not modelled here.
                    if before == nil || options.mode != nil || options.owner != nil {
                        forgetProbes { CachingTransport.mentions($0, path) }
                        words.append((path, cause(before == nil ? "create \(path)" : "set the mode or owner of \(path)")))
                    }
                case .run(_, let summary, _):
                    taint(plan.effect, because: cause(summary))
                case .verify:
                    break
                }
            }
            if plan.changes, !plan.writesChangeProbesNaming.isEmpty {
                taint(.limited(probesNaming: plan.writesChangeProbesNaming, files: []), because: cause(plan.actions[0].summary))
            }
            for (word, result) in plan.predictsNaming.sorted(by: { $0.key < $1.key }) {
                forgetProbes { CachingTransport.mentions($0, word) }
                probesNaming.append((word, result))
            }
            for (command, result) in plan.predicts { probes[command] = result }
        }
    }

    /// An op whose own plan is unknown may have changed what it may change (`OpSpec.mayChange`).
    public func assumeUnknown(op: String, at location: String, mayChange effect: CommandEffect) {
        lock.withLock {
            taint(effect, because: "\(op) at \(location) (whose own changes are unknown)")
        }
    }

    // MARK: - Under the lock

    private func taint(_ effect: CommandEffect, because cause: String) {
        switch effect {
        case .anything:
            everything = cause
            files = [:]
            probes = [:]
            probesNaming = []
            words = []
            changedFiles = [:]
        case .limited(let names, let paths):
            for path in paths {
                files[path] = nil
                changedFiles[path] = cause
            }
            let touched = names + paths
            forgetProbes { command in touched.contains { CachingTransport.mentions(command, $0) } }
            words += touched.map { ($0, cause) }
        }
    }

    /// Forgets predictions of the probes `mentions` picks, and word predictions of words it
    /// picks (a command spelled with only that word would be one of them).
    private func forgetProbes(where mentions: (String) -> Bool) {
        probes = probes.filter { command, _ in !mentions(command) }
        probesNaming.removeAll { mentions($0.word) }
    }

    private func mentioned(in command: String) -> String? {
        words.last { CachingTransport.mentions(command, $0.word) }?.because
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
