import Foundation

/// A per-host lock so that two crucible runs on one host cannot interleave their edits.
///
/// Everything lives in one private directory (`--lock-path`, default `/var/lock/crucible`):
/// `DIR/lock`, the lock itself, and `DIR/pending`, the follow-ups journal (`FollowUps`).
/// /var/lock is world-writable on many systems (Debian's /run/lock is 1777), so DIR is made
/// with `mkdir -m 0700` and then checked before anything in it is used: a directory (not a
/// symlink), owned by root or the user crucible runs as, mode 0700; anything else is refused
/// with the reason, since another user could have put it there. Inside it nobody else can
/// plant a link, so the files are written by name.
///
/// The lock is a directory holding an `owner` file that says which run holds it, made aside
/// and renamed into place (a rename onto an existing lock fails, atomically). While the run
/// is connected, a keeper process on the host touches `owner` every few seconds: it runs on
/// a channel of its own (`Transport.startHeld`), so a command of the run that lasts an hour
/// does not stop it, and it ends with the run's connection. A lock whose owner file has not
/// been touched for `staleAfter` seconds belongs to a run that died (killed, or its
/// connection dropped) and is taken over. Needs only sh and coreutils.
public struct HostLock: Sendable {
    public static let defaultPath = "/var/lock/crucible"

    /// The private directory (`--lock-path`).
    public let path: String
    public let owner: String
    public let staleAfter: Int

    public init(path: String = HostLock.defaultPath, owner: String, staleAfter: Int = 60) {
        self.path = path
        self.owner = owner
        self.staleAfter = max(1, staleAfter)
    }

    /// How often the owner file is touched: well inside the takeover window.
    public var heartbeatSeconds: Int { max(1, staleAfter / 6) }

    /// A description of this run, unique to it (it is the lock's owner), shown to a run that has to wait for it.
    public static func describeThisRun() -> String {
        let host = ProcessInfo.processInfo.hostName
        let user = ProcessInfo.processInfo.environment["USER"] ?? "root"
        // The run id tells apart two runs of one process started in the same second.
        let runID = UUID().uuidString.prefix(8).lowercased()
        return "crucible-sh run \(runID) by \(user)@\(host), pid \(getpid()), started \(Date().formatted(.iso8601))"
    }

    /// `crucible_lockdir DIR`: makes the private directory if need be and checks it.
    static let directoryFunction = HostScripts.lockDirectory

    /// Takes the lock and, once it is held, prints the host's facts: one exec for both.
    /// Prints `held OWNER` and exits 1 when another live run holds it.
    static let acquireScript = directoryFunction + HostScripts.lockAcquire + "\n" + HostFacts.gatherScript + "\n" + HostFacts.pendingReader

    /// Releases the lock; with a prefix, first drops the lines of the follow-ups journal that
    /// start with it (this recipe's, on a host that finished), rewriting the journal through
    /// a temp file and a rename.
    static let releaseScript = directoryFunction + HostScripts.lockRelease

    static let refreshScript = HostScripts.lockRefresh

    /// The keeper (arguments: lock, owner, seconds): refreshes the lock every few seconds
    /// while this run still owns it, until its input ends (the run stops it, or the
    /// connection is gone). It leaves nothing behind: the loop's `sleep` is ended with it.
    static let keeperScript = "crucible_refresh() {\n" + refreshScript + "\n}\n" + HostScripts.lockKeeper

    enum Attempt: Equatable {
        case acquired(HostFacts)
        case held(by: String)
    }

    /// `denied USER<TAB>mkdir's error`: the login user cannot make the lock.
    private func denial(_ text: String, host: String) -> LockDenied? {
        guard text.hasPrefix("denied ") else { return nil }
        let fields = text.dropFirst(7).split(separator: "\t", maxSplits: 1).map(String.init)
        return LockDenied(host: host, path: path, user: fields.first ?? "?", reason: fields.count > 1 ? fields[1] : "")
    }

    func tryAcquire(_ transport: any Transport) async throws -> Attempt {
        let result = try await transport.run(ShellQuote.command(["/bin/sh", "-c", Self.acquireScript, "crucible-lock", path, owner,
                                                                String(staleAfter), pendingFile]))
        if result.succeeded { return .acquired(HostFacts.parse(result.stdoutText)) }
        let text = result.stdoutText.trimmed
        if let denied = denial(text, host: transport.target.name) { throw denied }
        guard text.hasPrefix("held ") else {
            throw TransportError.io(host: transport.target.name, message: "cannot take the lock \(path): \(result.stderrText.trimmed)")
        }
        return .held(by: String(text.dropFirst(5)))
    }

    /// Takes the lock, waiting (and saying so) while another run holds it, unless `wait`
    /// is false or `timeout` seconds pass; returns the host's facts, read in the same exec.
    public func acquire(_ transport: any Transport, wait: Bool, timeout: Double, onWait: @Sendable (String) -> Void) async throws -> HostFacts {
        let deadline = ContinuousClock.now + .seconds(timeout)
        var announced = false
        while true {
            switch try await tryAcquire(transport) {
            case .acquired(let facts):
                return facts
            case .held(let holder):
                guard wait else {
                    throw LockError(host: transport.target.name, path: path, holder: holder, waited: false)
                }
                if ContinuousClock.now >= deadline {
                    throw LockError(host: transport.target.name, path: path, holder: holder, waited: true)
                }
                if !announced {
                    onWait("waiting for the lock \(path), held by \(holder)")
                    announced = true
                }
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Starts the keeper on its own channel; nil when the transport cannot hold a command
    /// (then `refresh` keeps the lock alive, between commands).
    public func startKeeper(_ transport: any Transport) async -> (any HeldCommand)? {
        try? await transport.startHeld(ShellQuote.command(["/bin/sh", "-c", Self.keeperScript, "crucible-lock-keeper", path, owner,
                                                           String(heartbeatSeconds)]))
    }

    public func refresh(_ transport: any Transport) async {
        _ = try? await transport.run(ShellQuote.command(["/bin/sh", "-c", Self.refreshScript, "crucible-lock", path, owner]))
    }

    /// Releases the lock; `clearingFollowUpsOf`: the key prefix of follow-ups that are done.
    public func release(_ transport: any Transport, clearingFollowUpsOf prefix: String? = nil) async {
        _ = try? await transport.run(ShellQuote.command(["/bin/sh", "-c", Self.releaseScript, "crucible-lock", path, owner, prefix ?? ""]))
    }

    /// In the lock's directory: keys of ops whose changes were made by a run that has not
    /// reached its end on this host yet (see `FollowUps`).
    public var pendingFile: String { Self.pendingFile(forLock: path) }

    /// The follow-ups journal in the lock directory `path`.
    public static func pendingFile(forLock path: String) -> String { path + "/pending" }
}

/// Another run holds a host's lock.
public struct LockError: Error, Sendable, CustomStringConvertible {
    public let host: String
    public let path: String
    public let holder: String
    public let waited: Bool

    public var description: String {
        let what = waited ? "gave up waiting for the lock" : "the host is locked"
        return "\(host): \(what) \(path), held by \(holder); another crucible run is working on this host"
            + (waited ? "" : " (run again without --no-wait to wait for it)")
    }
}

/// The login user cannot take a host's lock at all (it cannot write the lock's directory):
/// said at once, with the fix, instead of waiting for a lock nobody holds.
public struct LockDenied: Error, Sendable, CustomStringConvertible {
    public let host: String
    public let path: String
    public let user: String
    /// mkdir's own message.
    public let reason: String

    public var description: String {
        let directory = (path as NSString).deletingLastPathComponent
        return "\(host): cannot take the lock \(path): \(user) cannot write \(directory)"
            + (reason.isEmpty ? "" : " (\(reason))")
            + ". The lock (and most changes) need root: run with --become (sudo), or log in as root"
    }
}
