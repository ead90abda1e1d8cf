import DSL
import Foundation
import Interpreter
import SSH
import Stdlib
import Synchronization

/// The read-eval-print loop: reads lines until an entry parses (asking for more while the
/// parser says the input ended too early), runs it in the session, prints what it did.
/// Nothing an entry does ends the loop: only `:quit`, Ctrl-D or the end of input.
///
/// Not Sendable: one task runs the loop, and its state stays there. Entries run in tasks of
/// their own, which get the session and the output, never the loop.
final class ReplLoop {
    let session: InteractiveSession
    let input: any LineSource
    let output: ReplOutput
    let observer: ReplObserver
    let sshConfig: SSHConfig
    /// Entries that failed (syntax, checker, runtime): the exit status of a piped session.
    private(set) var failures = 0
    private var pending: [String] = []
    /// The mistakes of the pending entry already shown (while its block was still open), by
    /// id, place and message: each parse of the growing entry makes new diagnostics.
    private var shown: Set<String> = []
    private var entryCount = 0
    /// An interrupted entry still stopping (its remote command is being stopped): the next
    /// entry waits for it, so two entries never run on the session at once.
    private var stopping: Task<EntryResult, Never>?

    init(session: InteractiveSession, input: any LineSource, output: ReplOutput, observer: ReplObserver, sshConfig: SSHConfig) {
        self.session = session
        self.input = input
        self.output = output
        self.observer = observer
        self.sshConfig = sshConfig
    }

    var prompt: String {
        "crucible@\(session.target.name)\(session.checkMode ? "[check]" : "")> "
    }

    var continuationPrompt: String {
        String(repeating: " ", count: max(0, prompt.count - 5)) + "...> "
    }

    func run() async {
        if input.isInteractive {
            output.line("crucible-sh \(Crucible.version) on \(session.target.name). `:help` for help, Ctrl-D to leave.")
        }
        while true {
            switch await input.read(prompt: pending.isEmpty ? prompt : continuationPrompt) {
            case .end:
                finishPending()
                // The session closes after this: an interrupted entry stops its command first.
                await settle()
                return
            case .interrupted:
                pending = []
            case .line(let line):
                if await handle(line) == .quit { return }
            }
        }
    }

    enum Next { case goOn, quit }

    func handle(_ line: String) async -> Next {
        if pending.isEmpty {
            if line.trimmed.isEmpty { return .goOn }
            if line.trimmed.hasPrefix(":") {
                input.remember(line)
                // `:host`, `:check`, `:load` change the session: not while an entry stops.
                await settle()
                return await meta(MetaCommand.parse(line))
            }
        }
        pending.append(line)
        let entry = pending.joined(separator: "\n")
        switch SessionEntry.parse(entry) {
        case .incomplete:
            return .goOn
        case .unfinishedWithErrors(let errors, _):
            // Shown now; the block goes on until it closes, then the entry is dropped.
            reject(errors)
            return .goOn
        case .invalid(let diagnostics):
            // A whole entry is one history item, however many lines it took.
            input.remember(entry)
            pending = []
            reject(diagnostics)
            shown = []
        case .complete(let program):
            input.remember(entry)
            pending = []
            // An entry whose mistakes were shown never runs, even if later lines made it parse.
            if shown.isEmpty { await evaluate(program) }
            shown = []
        }
        return .goOn
    }

    /// At the end of input an unfinished entry is an error (a script missing a `}`).
    func finishPending() {
        guard !pending.isEmpty else {
            if input.isInteractive { output.line("") }
            return
        }
        switch SessionEntry.parse(pending.joined(separator: "\n")) {
        case .incomplete(let diagnostics), .unfinishedWithErrors(_, let diagnostics): reject(diagnostics)
        default: break
        }
        pending = []
        shown = []
    }

    /// Shows the entry's mistakes that were not shown yet; an entry counts as one failure.
    func reject(_ diagnostics: [Diagnostic]) {
        let key = { (diagnostic: Diagnostic) in "\(diagnostic.id) \(diagnostic.span.start) \(diagnostic.message)" }
        let fresh = diagnostics.filter { !shown.contains(key($0)) }
        guard !fresh.isEmpty else { return }
        if shown.isEmpty { failures += 1 }
        shown.formUnion(fresh.map(key))
        output.paintedError(DiagnosticRenderer(useColor: output.color).render(fresh))
    }

    // MARK: - Running an entry

    /// Runs the entry in a task of its own; Ctrl-C cancels it (no further op starts, the
    /// command under way is stopped on its host) and returns to the prompt at once; the
    /// entry's output is dropped. The next entry starts once the interrupted one has ended.
    func evaluate(_ program: Program, params: [String: Value] = [:]) async {
        await settle()
        entryCount += 1
        let entry = entryCount
        let session = self.session
        let output = self.output
        observer.begin(entry: entry, host: session.target, checkMode: session.checkMode)
        defer { observer.end() }
        let task = Task {
            await ReplEntry.$id.withValue(entry) {
                await session.evaluate(program, params: params) { value in
                    if ReplEntry.id == entry { output.line(value.literal) }
                }
            }
        }
        let result = await Self.waitOrInterrupt(task)
        if result == .interrupted { stopping = task }
        show(result)
    }

    /// Waits for an interrupted entry to end (its command is being stopped on the host).
    func settle() async {
        guard let previous = stopping else { return }
        _ = await previous.value
        stopping = nil
    }

    static func waitOrInterrupt(_ task: Task<EntryResult, Never>) async -> EntryResult {
        await withCheckedContinuation { continuation in
            let first = FirstResult(continuation)
            Task { first.resume(with: await task.value) }
            Task {
                while !first.isDone {
                    if first.claimInterrupt() {
                        task.cancel()
                        LocalCommands.interrupt()
                        first.resumeInterrupted()
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }

    func show(_ result: EntryResult) {
        switch result {
        case .done: break
        case .rejected(let diagnostics): reject(diagnostics)
        case .failed(let message):
            failures += 1
            output.error(message)
        case .interrupted:
            failures += 1
            output.error("interrupted")
        }
    }

    // MARK: - Meta-commands

    func meta(_ command: MetaCommand) async -> Next {
        switch command {
        case .help(let name): help(name)
        case .facts: await facts()
        case .check(let on):
            if let on { session.checkMode = on }
            output.line(session.checkMode ? "check mode on: ops show what they would change and change nothing"
                                          : "check mode off: ops apply their changes")
        case .load(let path, let sets): await load(path, sets: sets)
        case .hosts: await hosts()
        case .connect(let host): await connect(host)
        case .quit: return .quit
        case .invalid(let message):
            failures += 1
            output.error(message)
        }
        return .goOn
    }

    func help(_ name: String?) {
        guard let name else {
            output.line("""
                Type recipe code; it runs on \(session.target.name) as if inside `on host { ... }`.
                  ensure-line "/etc/hosts" "10.0.0.2 c1"   an op: prints ok/changed and the diff
                  let f = facts()                          `let` names persist between entries
                  f.distribution                           an expression: prints its value
                An unfinished block or string continues on the next line. Tab completes; Ctrl-C
                abandons the line or stops the running entry.
                \(MetaCommand.summary)
                Operations: \(Stdlib.all.map(\.name).joined(separator: " "))
                """)
            return
        }
        guard let op = Stdlib.spec(named: name) else {
            failures += 1
            output.error("no operation `\(name)`" + (Suggestions.hint(for: name, in: Stdlib.all.map(\.name)).map { "; \($0)" } ?? ""))
            return
        }
        output.line(OpsDocs.text(op))
    }

    func facts() async {
        do {
            let facts = try await session.facts()
            guard case .record(let fields) = facts.value else { return }
            let width = fields.keys.map(\.count).max() ?? 0
            output.line(fields.map { $0.key.padding(width) + " = " + $0.value.literal }.joined(separator: "\n"))
        } catch {
            failures += 1
            output.error("cannot read the facts of \(session.target.name): \(error)")
        }
    }

    /// Runs a recipe file as one entry. Its params take the `--set` values (typed and
    /// checked as `run` does it) or their defaults.
    func load(_ path: String, sets: [String]) async {
        let (program, diagnostics) = RecipeLoader().load(path: path)
        guard let program else {
            failures += 1
            output.error("cannot read `\(path)`")
            return
        }
        defer { shown = [] }
        if diagnostics.hasErrors { return reject(diagnostics) }
        let inputs = sets.map { set in
            let eq = set.firstIndex(of: "=")!
            return ParamInput(name: String(set[..<eq]), raw: String(set[set.index(after: eq)...]))
        }
        var checker = Checker(ops: Stdlib.all, inputs: inputs)
        let paramIDs: Set<String> = ["E-param-missing", "E-param-unknown", "E-param-value"]
        let paramErrors = checker.check(program).filter { paramIDs.contains($0.id) }
        if !paramErrors.isEmpty { return reject(paramErrors) }
        await evaluate(program, params: checker.paramValues)
    }

    func hosts() async {
        let connected = await session.connectedHosts()
        var lines = connected.map { ($0 == session.target ? "* " : "  ") + $0.description }
        let aliases = sshConfig.aliases.filter { alias in !connected.contains { $0.address == alias } }
        lines += aliases.map { "  \($0) (ssh config)" }
        output.line(lines.joined(separator: "\n"))
    }

    func connect(_ text: String) async {
        switch ParamConversion.host(text) {
        case .failure(let error):
            failures += 1
            output.error(error.description)
        case .success(let target):
            do {
                try await session.switchHost(to: target)
                output.line("connected to \(target.name)")
            } catch {
                failures += 1
                output.error("cannot connect to \(target.description): \(error); still on \(session.target.name)")
            }
        }
    }
}

/// Resumes a continuation with whichever result comes first: the entry's, or Ctrl-C's.
final class FirstResult: Sendable {
    private let continuation: CheckedContinuation<EntryResult, Never>
    private let done = Mutex(false)

    init(_ continuation: CheckedContinuation<EntryResult, Never>) {
        self.continuation = continuation
    }

    var isDone: Bool { done.withLock { $0 } }

    func resume(with result: EntryResult) {
        let first: Bool = done.withLock { done in
            defer { done = true }
            return !done
        }
        if first { continuation.resume(returning: result) }
    }

    /// Takes a Ctrl-C pressed while the entry runs: true when there was one and the entry had
    /// not ended (checked in one step, so a Ctrl-C never goes to an entry that has ended and
    /// the loop waits until `resumeInterrupted()`); the entry's own result is then dropped.
    func claimInterrupt() -> Bool {
        done.withLock { done in
            guard !done, InterruptSignal.take() else { return false }
            done = true
            return true
        }
    }

    func resumeInterrupted() {
        continuation.resume(returning: .interrupted)
    }
}
