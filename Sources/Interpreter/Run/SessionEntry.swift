import DSL

/// One piece of text typed into a session, once parsed: ready to run, unfinished (the
/// parser ran out of input inside a block, a call or a string), or wrong.
public enum SessionEntry: Sendable {
    case complete(Program)
    /// The parser reported a typed "unexpected end of input": ask for another line. The
    /// diagnostics are what to show if no more input comes.
    case incomplete([Diagnostic])
    /// A real mistake inside a block the user is still typing: the mistakes are reported at
    /// once, the rest of the block is read (and dropped) until it closes, and its missing `}`
    /// is only an error if the input ends first (`atEnd`).
    case unfinishedWithErrors(errors: [Diagnostic], atEnd: [Diagnostic])
    case invalid([Diagnostic])

    /// Parses the text of an entry so far. The decision to ask for more comes from the
    /// parser's `isUnexpectedEnd` diagnostics, never from counting brackets: when every
    /// error is about the input ending early, the entry is unfinished; a real mistake on an
    /// inner line is reported at once, not after the block is closed.
    public static func parse(_ text: String, name: String = "<repl>") -> SessionEntry {
        let (program, diagnostics) = Parser.parse(SourceFile(name: name, text: text))
        let errors = diagnostics.filter { $0.severity == .error }
        if errors.isEmpty { return .complete(program) }
        let atEnd = errors.filter(\.isUnexpectedEnd)
        if atEnd.count == errors.count { return .incomplete(errors) }
        if !atEnd.isEmpty { return .unfinishedWithErrors(errors: errors.filter { !$0.isUnexpectedEnd }, atEnd: atEnd) }
        return .invalid(errors)
    }
}

/// What became of an entry.
public enum EntryResult: Sendable, Equatable {
    case done
    /// The checker found errors; nothing ran.
    case rejected([Diagnostic])
    /// It ran and failed: a runtime error, an op that failed, a lost connection. The
    /// message is complete as users see it (`error: ...` or a rendered diagnostic).
    case failed(String)
    /// Ctrl-C: stopped before its next op.
    case interrupted
}
