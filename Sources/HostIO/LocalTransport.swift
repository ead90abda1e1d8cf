import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs everything on this machine through `/bin/sh -c`: recipes without SSH, and the
/// tests of ops on real files.
public final class LocalTransport: Transport, Sendable {
    public let target: HostTarget
    private let counters = Mutex(TransportStats())

    public init(target: HostTarget = .local) {
        self.target = target
    }

    public func connect() async throws {}

    /// A cancelled task (Ctrl-C) starts nothing; one cancelled while its command runs stops
    /// the command with all it started (`CommandStop`) and gets what it printed so far, with
    /// status 130 and `CommandStop.marker` on stderr.
    public func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        try Task.checkCancellation()
        count { $0.execChannels += 1 }
        let host = target.name
        let stop = StopRequest()
        return try await withTaskCancellationHandler {
            try await BlockingWork.run(name: "crucible-local-exec") {
                try Self.spawn(command, stdin: stdin, timeout: timeout, host: host, stop: stop)
            }
        } onCancel: {
            stop.request()
        }
    }

    public func readFile(_ path: String) async throws -> [UInt8]? {
        try await readFileByExec(path)
    }

    public func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        try await writeFileByExec(path, contents: contents, options: options)
        count { $0.bytesWritten += contents.count }
    }

    public func stats() -> TransportStats {
        counters.withLock { $0 }
    }

    public func close() async {}

    private func count(_ update: (inout TransportStats) -> Void) {
        counters.withLock { update(&$0) }
    }

    /// Variables crucible reads its own secrets from: commands run on `local` never see them.
    public static let secretVariables: Set = ["CRUCIBLE_SSH_PASSWORD", "CRUCIBLE_KEY_PASSPHRASE"]

    /// This process's environment, `NAME=value` each, without `secretVariables`.
    static func childEnvironment() -> [String] {
        ProcessInfo.processInfo.environment.filter { !secretVariables.contains($0.key) }.map { "\($0.key)=\($0.value)" }
    }

    /// Spawns `/bin/sh -c` with posix_spawn in a session (and process group) of its own. Output goes to
    /// unlinked temp files rather than pipes, so a daemon the command starts (and that keeps
    /// its inherited descriptors) cannot hold the run; stdin is fed from a thread of its own.
    /// Waits with waitpid on this (dedicated) thread; on timeout the whole group is killed.
    private static func spawn(_ command: String, stdin: [UInt8]?, timeout: Double?, host: String, stop: StopRequest) throws -> CommandResult {
        let outFile = try OutputFile(), errFile = try OutputFile()
        var inPipe: [Int32] = [0, 0]
        // Another spawn on another thread must not inherit this pipe (its child would keep our
        // stdin open, and `cat` would never see its end): the descriptors are close-on-exec,
        // and creating them and spawning happen under one lock.
        spawnLock.lock()
        guard pipe(&inPipe) == 0 else { spawnLock.unlock(); throw TransportError.io(host: host, message: "cannot create a pipe: errno \(errno)") }
        for descriptor in inPipe + [outFile.descriptor, errFile.descriptor] { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let spawned = ProcessSpawn.start(["/bin/sh", "-c", command], stdin: inPipe[0], stdout: outFile.descriptor,
                                         stderr: errFile.descriptor, environment: childEnvironment(), newSession: true)
        spawnLock.unlock()
        Glibc.close(inPipe[0])
        let pid: pid_t
        switch spawned {
        case .success(let child):
            pid = child
        case .failure(let failure):
            Glibc.close(inPipe[1])
            throw TransportError.io(host: host, message: "cannot start /bin/sh: errno \(failure.code)")
        }
        let writer = inPipe[1], bytes = stdin ?? []
        Thread.detachNewThread {
            signal(SIGPIPE, SIG_IGN)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
                if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { break }
            }
            Glibc.close(writer)
        }
        let timedOut = TimeoutFlag()
        let child = pid
        if let timeout {
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: timeout)
                if timedOut.markIfRunning() { CommandStop.stopLocalSession(child) }
            }
        }
        // Stopping runs on a thread of its own: the request comes from whatever thread
        // cancelled the task, and this one is waiting for the child.
        // The result waits for the stop to end: the shell dies at the TERM, what ignored it
        // only at the KILL, and nothing may be left running once the command has returned.
        let stopped = DispatchSemaphore(value: 0)
        stop.onRequest { Thread.detachNewThread { CommandStop.stopLocalSession(child); stopped.signal() } }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        if !timedOut.finish() {
            throw TransportError.timeout(host: host, what: "command", seconds: timeout ?? 0)
        }
        let signalNumber = status & 0x7f
        let exitStatus = signalNumber == 0 ? (status >> 8) & 0xff : 128 + signalNumber
        if stop.isRequested {
            stopped.wait()
            return CommandResult(stdout: outFile.contents(), stderr: CommandStop.stderr(errFile.contents()),
                                 status: CommandStop.status)
        }
        return CommandResult(stdout: outFile.contents(), stderr: errFile.contents(), status: exitStatus)
    }
}

/// Serializes pipe creation and posix_spawn across threads (see `spawn`).
private let spawnLock = NSLock()

/// An unlinked temp file a child writes its output to; closed when dropped.
private final class OutputFile {
    let descriptor: Int32

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/crucible-out.XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw TransportError.io(host: "local", message: "cannot create a temp file: errno \(errno)") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    func contents() -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var offset: off_t = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
                offset += off_t(count)
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                return data
            }
        }
    }

    deinit { close(descriptor) }
}

/// Decides, once, whether the command finished or the timeout fired first.
private final class TimeoutFlag: Sendable {
    private enum State { case running, finished, timedOut }

    private let state = Mutex(State.running)

    /// Called by the watchdog: true when it got there first.
    func markIfRunning() -> Bool {
        state.withLock { state in
            guard state == .running else { return false }
            state = .timedOut
            return true
        }
    }

    /// Called after waitpid: false when the watchdog killed the command.
    func finish() -> Bool {
        state.withLock { state in
            if state == .running { state = .finished }
            return state == .finished
        }
    }
}

extension String {
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
