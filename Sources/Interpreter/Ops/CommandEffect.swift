/// What a planned command may change of the host's state, as far as the run's reads are
/// concerned: the cache forgets the reads it touches (`CachingTransport`), and check mode
/// calls them unknown (`PlannedState`). Compared with what probes declare they read
/// (`Probe.reads`), never with command text.
public enum CommandEffect: Sendable, Equatable {
    /// Any file or state (a recipe's own `run` command that does not say): every cached read
    /// is forgotten.
    case anything
    /// Only these parts; every other cached read stays. A file's cached bytes go with its
    /// `contents`.
    case limited(Set<HostState>)

    /// Changes nothing the run reads (`restorecon`, `exportfs -r` for the reads of ops).
    public static let nothingRead = CommandEffect.limited([])

    public static func changes(_ states: HostState...) -> CommandEffect { .limited(Set(states)) }

    /// Changes a path's metadata or creates it (`mkdir -p`, `chmod`, `chown`): what probes
    /// of the path or of its directories read. File contents stay.
    public static func metadata(of path: String) -> CommandEffect {
        .limited(Set(HostState.pathAndDirectories(path)))
    }

    /// Writes a file, or creates or changes it or its directories: its bytes, and what
    /// probes of it or of its directories read.
    public static func edit(of path: String) -> CommandEffect {
        .limited(Set(HostState.pathAndDirectories(path) + [.contents(path)]))
    }

    /// Both effects at once.
    public func union(_ other: CommandEffect) -> CommandEffect {
        guard case .limited(let mine) = self, case .limited(let theirs) = other else { return .anything }
        return .limited(mine.union(theirs))
    }

    /// Whether a read of these parts may see something else after the command.
    public func touches(_ reads: Set<HostState>) -> Bool {
        switch self {
        case .anything: return true
        case .limited(let changed): return changed.overlaps(reads)
        }
    }

    /// The files whose bytes it may change; nil: any file.
    public var files: [String]? {
        guard case .limited(let changed) = self else { return nil }
        return changed.compactMap { if case .contents(let path) = $0 { return path } else { return nil } }.sorted()
    }
}
