import ArgumentParser
import Foundation

/// `--color=auto|always|never`, for every command that prints: auto colours a terminal
/// unless NO_COLOR is set; always and never are what they say (and win over NO_COLOR).
struct ColorOption: ParsableArguments {
    enum Choice: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

    @Option(name: .customLong("color"), help: ArgumentHelp("When to use colours: auto (a terminal without NO_COLOR), always, never.",
                                                           valueName: "WHEN"))
    var choice: Choice = .auto

    /// Options are parsed before any output is made: the choice holds for the whole process.
    func validate() throws {
        Terminal.colorChoice = choice
    }
}

extension Terminal {
    nonisolated(unsafe) static var colorChoice = ColorOption.Choice.auto

    /// Whether text written to a stream that is (or is not) a terminal gets colours.
    static func color(onTerminal isTerminal: Bool) -> Bool {
        switch colorChoice {
        case .always: return true
        case .never: return false
        case .auto: return isTerminal && colorAllowed
        }
    }

    static var stderrColor: Bool { color(onTerminal: stderrIsTerminal) }

    /// The terminal's width in columns; nil when standard output is not a terminal.
    static var columns: Int? {
        var size = winsize()
        guard stdoutIsTerminal, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }
}
