import Foundation
import Interpreter

/// What one read of a line gave.
enum LineInput: Sendable, Equatable {
    case line(String)
    /// Ctrl-C at the prompt: the line (and any unfinished entry) is abandoned.
    case interrupted
    /// Ctrl-D or the end of piped input.
    case end
}

/// Where the REPL's lines come from: the line editor on a terminal, plain lines from a pipe.
protocol LineSource: AnyObject, Sendable {
    /// Whether prompts are shown and meta-command chatter is wanted.
    var isInteractive: Bool { get }
    func read(prompt: String) async -> LineInput
    /// Adds a line to the history (no-op for piped input).
    func remember(_ line: String)
}

/// Lines from standard input when it is not a terminal: no prompts, no history, no
/// editing, so a REPL session can be scripted.
final class PipedLines: LineSource, Sendable {
    var isInteractive: Bool { false }

    func read(prompt: String) async -> LineInput {
        let line = try? await BlockingWork.run(name: "crucible-repl-read") { Swift.readLine(strippingNewline: true) }
        guard let line = line ?? nil else { return .end }
        return .line(line)
    }

    func remember(_ line: String) {}
}
