/// A read-only command that reads a host's state, with the parts of the state it reads.
/// A run answers a repeated probe from its cache until a change may have altered one of
/// those parts (`HostState.overlaps`); check mode answers it from the changes it planned,
/// or calls it unknown, by the same declaration.
public struct Probe: Hashable, Sendable, CustomStringConvertible {
    /// Quoted with `ShellQuote`, run by `/bin/sh -c`.
    public var command: String
    /// What it reads. Empty for a command that reads nothing any change could alter.
    public var reads: Set<HostState>

    public init(_ command: String, reads: some Sequence<HostState>) {
        self.command = command
        self.reads = Set(reads)
    }

    public var description: String { command }
}
