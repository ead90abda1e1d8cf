import Foundation
import HostIO
import Synchronization

/// The SSH transport: one TCP connection and one authenticated libssh2 session per host
/// for the whole run, one channel per command.
///
/// libssh2 calls block (or spin on EAGAIN), so every call of this host's session runs on
/// the transport's own `WorkerThread`, never on Swift's cooperative pool: 32 hosts make
/// progress at once even on two cores. The worker runs jobs one at a time, which also
/// makes `connect()` idempotent and safe to call concurrently, and serialises this host's
/// commands (a libssh2 session is not thread-safe). The session state below is touched
/// only from the worker; the counters are in a Mutex of their own.
// Unchecked: `endpoint`, `session`, `held`, `nextHeld` and `lost` are read and written only
// in jobs on `worker` (one thread, one job at a time: see the "On the worker thread" section);
// tests read `endpoint` only after a call on the worker has returned.
public final class SSHTransport: Transport, @unchecked Sendable {
    public let target: HostTarget
    public let options: SSHOptions
    /// The target with its ssh configuration applied: resolved on the worker when the
    /// host is first connected (`ssh -G` is a child process to wait for).
    private(set) var endpoint: SSHEndpoint?

    private let worker: WorkerThread
    private var session: SSHSession?
    /// Commands started with `startHeld`, by id: their channels stay open until stopped.
    private var held: [Int: SSHChannel] = [:]
    private var nextHeld = 0
    /// Set when the connection dropped: the host stays failed for the rest of the run.
    private var lost: TransportError?

    /// Starts the line each command prints first on stderr with its shell's pid (removed
    /// from what `run` returns): random, so no output of a command can pass for it.
    private let pidMarker = "crucible-pid-" + UUID().uuidString.prefix(8).lowercased()

    private let counters = Mutex(TransportStats())

    public init(target: HostTarget, options: SSHOptions = SSHOptions()) {
        self.target = target
        self.options = options
        worker = WorkerThread(name: "crucible-ssh-\(target.name)")
    }

    deinit {
        worker.stop()
    }

    // MARK: - Transport

    public func connect() async throws {
        try await worker.perform { _ = try self.openSession() }
    }

    /// A cancelled task (Ctrl-C) starts nothing; one cancelled while its command runs stops
    /// the command on the host with every process it started (`CommandStop`) and gets what
    /// it printed so far, with status 130 and `CommandStop.marker` on stderr.
    public func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        try Task.checkCancellation()
        let seconds = timeout ?? options.commandTimeout
        let stop = StopRequest()
        let (result, user, becoming) = try await withTaskCancellationHandler {
            try await worker.perform {
                if stop.isRequested { throw CancellationError() }
                let (user, becoming) = try self.login()
                let marked = CommandPid.announcing(command, marker: self.pidMarker)
                let wrapped = becoming ? BecomeCommand.wrap(marked) : marked
                var result = try self.exec(wrapped, stdin: stdin ?? [], deadline: Deadline(seconds: seconds, what: "command"),
                                           stop: self.stopping(stop, becoming: becoming))
                result.stderr = CommandPid.removing(from: result.stderr, marker: self.pidMarker)
                return (result, user, becoming)
            }
        } onCancel: {
            stop.request()
        }
        if result.stopped {
            return CommandResult(stdout: result.stdout, stderr: CommandStop.stderr(result.stderr),
                                 status: CommandStop.status)
        }
        if becoming, let refusal = BecomeCommand.refusal(status: result.status, stderr: result.stderr, user: user) {
            throw TransportError.authentication(host: target.name, message: refusal)
        }
        return CommandResult(
            stdout: result.stdout, stderr: result.stderr,
            status: result.signal.map(ExitSignal.status(for:)) ?? result.status
        )
    }

    public func readFile(_ path: String) async throws -> [UInt8]? {
        try await readFileByExec(path)
    }

    /// A command on a channel of its own that stays open beside the others: its input
    /// ends when it is stopped, or when the connection ends (sshd closes its pipes), so
    /// the process lives exactly as long as this connection, whatever the other channels do.
    public func startHeld(_ command: String) async throws -> (any HeldCommand)? {
        let seconds = options.connectTimeout
        let id = try await worker.perform {
            let (_, becoming) = try self.login()
            let session = try self.openSession()
            return try self.connected {
                let deadline = Deadline(seconds: seconds, what: "starting a held command")
                let channel = try SSHChannel(session: session, deadline: deadline)
                try channel.start(becoming ? BecomeCommand.wrap(command) : command, deadline: deadline)
                self.nextHeld += 1
                self.held[self.nextHeld] = channel
                return self.nextHeld
            }
        }
        return HeldChannel(transport: self, id: id)
    }

    fileprivate func stopHeld(_ id: Int) async {
        _ = try? await worker.perform {
            guard let channel = self.held.removeValue(forKey: id) else { return }
            try? channel.finish(deadline: Deadline(seconds: 2, what: "stopping a held command"))
        }
    }

    /// One exec: the atomic-write script with the bytes on stdin (keeps mode, owner and
    /// SELinux context, makes the backup, works with `become`).
    public func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        try await writeFileByExec(path, contents: contents, options: options)
        count { $0.bytesWritten += contents.count }
    }

    public func stats() -> TransportStats {
        counters.withLock { $0 }
    }

    /// Ends the session (and forgets a lost one); a later call connects again.
    public func close() async {
        _ = try? await worker.perform {
            self.held = [:]
            self.session = nil
            self.lost = nil
        }
    }

    // MARK: - On the worker thread

    /// The login user, and whether commands go through sudo (`become` for a user other than root).
    private func login() throws -> (user: String, becoming: Bool) {
        _ = try openSession()
        let user = endpoint?.user ?? "root"
        return (user, options.become && user != "root")
    }

    private func openSession() throws -> SSHSession {
        if let lost { throw lost }
        if let session { return session }
        do {
            let endpoint = try self.endpoint ?? SSHEndpoint.resolve(target, options: options)
            self.endpoint = endpoint
            let opened = try SSHConnector(endpoint: endpoint, options: options).open()
            session = opened
            count { $0.connections += 1 }
            return opened
        } catch {
            throw TransportError.from(error, host: target.name, stage: .connecting)
        }
    }

    private func exec(_ command: String, stdin: [UInt8], deadline: Deadline, stop: SSHChannel.Stop? = nil) throws -> ExecResult {
        let session = try openSession()
        return try connected {
            count { $0.execChannels += 1 }
            let channel = try SSHChannel(session: session, deadline: deadline)
            return try channel.exec(command, stdin: stdin, deadline: deadline, stop: stop)
        }
    }

    /// How a command under way on this host is stopped: once its pid has come on stderr,
    /// a second channel of the same session runs `CommandStop.script` for it (as root
    /// through sudo when becoming: the command's processes are root's).
    private func stopping(_ request: StopRequest, becoming: Bool) -> SSHChannel.Stop {
        SSHChannel.Stop(requested: { request.isRequested }, perform: { stderr in
            guard let pid = CommandPid.pid(in: stderr, marker: self.pidMarker), let session = self.session else { return false }
            let command = CommandStop.command(pid: pid)
            let deadline = Deadline(seconds: 10, what: "stopping a command")
            let channel = try SSHChannel(session: session, deadline: deadline)
            _ = try channel.exec(becoming ? BecomeCommand.wrap(command) : command, stdin: [], deadline: deadline)
            return true
        })
    }

    /// Runs a step on the open session; a dropped connection closes it for good.
    private func connected<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            let mapped = TransportError.from(error, host: target.name, stage: .connected)
            if case .disconnected = mapped {
                lost = mapped
                held = [:]
                session = nil
            }
            throw mapped
        }
    }

    private func count(_ update: (inout TransportStats) -> Void) {
        counters.withLock { update(&$0) }
    }
}

/// A command started with `SSHTransport.startHeld`.
private struct HeldChannel: HeldCommand {
    let transport: SSHTransport
    let id: Int

    func stop() async { await transport.stopHeld(id) }
}
