import Foundation

/// Several planned changes applied in ONE exec, in order: atomic file writes (their bytes
/// one after another on stdin, each read to its exact size by `AtomicWrite.function`) and
/// commands (each in a subshell, with stdin from /dev/null so none can eat the next file's
/// bytes). The first step that fails stops the batch; nothing after it runs. After each
/// step the script prints a marker line holding a random nonce, the step's index and `ok`
/// or `failed STATUS`, so the caller knows exactly which steps took effect and which one
/// failed; stderr gets a marker before each step, so the failing step's own messages can be
/// told from the others'. A command that holds a secret (`SecretMask`) is not on the
/// command line: its text follows on stdin in its turn, read to its size like a file's.
/// A command with a timeout runs under `CommandTimeout.function` (in a process group of its
/// own, stopped with all it started when its time is up); the batch goes on to report it
/// as the failed step.
///
/// Follow-up markers: before its first step, the batch appends the keys of the ops whose
/// changes it makes to a file on the host (`FollowUps`), so a run cut off after a change
/// still knows, next time, that the commands depending on it may not have run. (Recording a
/// key before the change is the safe side: at worst a follow-up runs once more.)
public struct ApplyBatch: Sendable {
    public let actions: [PlannedAction]
    /// Follow-up keys recorded before the first step.
    public let markers: [String]
    public let pendingFile: String
    let nonce: String
    /// Commands that hold one of these go on stdin, not on the command line (`ps` shows that).
    let secrets: SecretMask?

    public init(_ actions: [PlannedAction], markers: [String] = [], pendingFile: String = "",
                nonce: String = "crucible-step-" + UUID().uuidString, secrets: SecretMask? = nil) {
        self.actions = actions
        self.markers = markers
        self.pendingFile = pendingFile
        self.nonce = nonce
        self.secrets = secrets
    }

    func hides(_ command: String) -> Bool { secrets?.appears(in: Array(command.utf8)) == true }

    /// `crucible_now` reads the host's uptime (a builtin read, no process): the step
    /// markers carry it, so each step's wall time is known to 10 ms.
    static let loop = HostScripts.applyBatch

    public var command: String {
        // The timeout function only goes along when a step needs it.
        let timed = isTimed ? CommandTimeout.function : ""
        var words = ["/bin/sh", "-c", AtomicWrite.prelude + AtomicWrite.function + timed + Self.loop, "crucible-apply", nonce, pendingFile]
        if !pendingFile.isEmpty {
            for key in markers { words += ["m", key] }
        }
        for action in actions {
            switch action {
            case .writeFile(let path, _, let after, let options):
                words += ["w", path, options.backupSuffix(for: path), options.modeIfNew, options.mode ?? "", options.owner ?? "",
                          String(after.count), end]
            case .run(let command, _, let timeout?):
                words += hides(command) ? ["T", String(timeout), String(command.utf8.count)] : ["t", String(timeout), command]
            case .run(let command, _, nil), .verify(let command, _):
                words += hides(command) ? ["h", String(command.utf8.count)] : ["c", command]
            }
        }
        return ShellQuote.command(words)
    }

    /// Every file's bytes, each followed by the end marker line, in step order.
    public var stdin: [UInt8] {
        actions.flatMap { action -> [UInt8] in
            switch action {
            case .writeFile(_, _, let after, _): return AtomicWrite.stdin(contents: after, end: end)
            case .run(let command, _, _), .verify(let command, _): return hides(command) ? Array(command.utf8) : []
            }
        }
    }

    /// Whether a step has a timeout.
    var isTimed: Bool {
        actions.contains { if case .run(_, _, _?) = $0 { return true } else { return false } }
    }

    /// How long the client waits for the whole batch before it gives up on the host
    /// (`CommandTimeout.backstop`): only a batch of timed commands alone has a bound; one
    /// that also writes files or runs commands without a limit waits as long as they take
    /// (keepalives still notice a host that stops answering).
    public var backstop: Double? {
        var total = 0.0
        for action in actions {
            guard case .run(_, _, let seconds?) = action else { return nil }
            total += CommandTimeout.backstop(seconds)
        }
        return total
    }

    /// Follows each file's bytes: a transfer cut short cannot produce it.
    var end: String { nonce + "-end" }

    /// How far a batch got.
    public struct Outcome: Equatable, Sendable {
        /// Steps that took effect, from the first.
        public var completed: Int
        /// The step that failed (index `completed`): its exit status and its stderr.
        public var failure: (status: Int32, message: String)?
        /// What each step that ran printed and how long it took: the completed ones and
        /// the failed one.
        public var steps: [StepOutput] = []

        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.completed == b.completed && a.failure?.status == b.failure?.status && a.failure?.message == b.failure?.message
        }
    }

    /// One step's standard output and error, exactly as printed, and its wall time.
    public struct StepOutput: Equatable, Sendable {
        public var stdout: String
        public var stderr: String
        public var milliseconds: Int
    }

    public func outcome(of result: CommandResult) -> Outcome {
        let stdout = result.stdoutText, stderr = result.stderrText
        var completed = 0
        var failedStatus: Int32?
        var steps: [StepOutput] = []
        // Each step's output runs from the end of the marker line before it to the newline
        // the loop prints before its own marker.
        var cursor = stdout.startIndex
        var clock = Self.uptime(nil)
        if let start = stdout.range(of: nonce + " start ") {
            let end = stdout[start.upperBound...].firstIndex(of: "\n") ?? stdout.endIndex
            clock = Self.uptime(stdout[start.upperBound..<end])
            cursor = end < stdout.endIndex ? stdout.index(after: end) : end
        }
        while completed < actions.count, let marker = stdout.range(of: "\n\(nonce) \(completed) ", range: cursor..<stdout.endIndex) {
            let lineEnd = stdout[marker.upperBound...].firstIndex(of: "\n") ?? stdout.endIndex
            let words = stdout[marker.upperBound..<lineEnd].split(separator: " ")
            let now = Self.uptime(words.count > (words.first == "ok" ? 1 : 2) ? words.last : nil)
            let elapsed = clock.flatMap { start in now.map { max(0, Int((($0 - start) * 1000).rounded())) } } ?? 0
            steps.append(StepOutput(stdout: String(stdout[cursor..<marker.lowerBound]),
                                    stderr: stepStderr(completed, in: stderr), milliseconds: elapsed))
            clock = now
            cursor = lineEnd < stdout.endIndex ? stdout.index(after: lineEnd) : lineEnd
            if words.first == "ok" {
                completed += 1
            } else {
                failedStatus = words.count > 1 ? Int32(words[1]) ?? 1 : 1
                break
            }
        }
        if completed == actions.count { return Outcome(completed: completed, failure: nil, steps: steps) }
        // A step that failed, or a script that died before saying (a signal, sh refusing).
        let status = failedStatus ?? (result.status == 0 ? 1 : result.status)
        if steps.count == completed {
            steps.append(StepOutput(stdout: String(stdout[cursor...]), stderr: stepStderr(completed, in: stderr), milliseconds: 0))
        }
        return Outcome(completed: completed, failure: (status, stepMessages(completed, in: stderr)), steps: steps)
    }

    static func uptime(_ word: Substring?) -> Double? { word.flatMap { Double($0) } }

    /// Everything step `index` wrote to stderr, untrimmed.
    func stepStderr(_ index: Int, in stderr: String) -> String {
        guard let start = stderr.range(of: "\(nonce) \(index)\n") else { return "" }
        var text = stderr[start.upperBound...]
        if let next = text.range(of: "\(nonce) \(index + 1)\n") { text = text[..<next.lowerBound] }
        return String(text)
    }

    /// What step `index` wrote to stderr (after its marker, up to the next one), trimmed.
    func stepMessages(_ index: Int, in stderr: String) -> String {
        guard stderr.contains("\(nonce) \(index)\n") else { return stderr.trimmingCharacters(in: .whitespacesAndNewlines) }
        return stepStderr(index, in: stderr).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
