import CLibSSH2

/// What one exec gave back, with the signal name when the command was killed by one.
struct ExecResult: Sendable {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var status: Int32 = -1
    var signal: String?
    /// The command was stopped before it ended (`SSHChannel.Stop`).
    var stopped = false
}

/// One exec channel, owned here and freed in `deinit`. `exec` is the whole life of the
/// channel: start the command, write stdin then EOF while draining stdout and stderr
/// (interleaved, so a command that talks before it reads cannot deadlock us), wait for
/// the close, collect the exit status.
final class SSHChannel {
    private let session: SSHSession
    private let handle: OpaquePointer
    private static let chunk = 64 * 1024

    init(session: SSHSession, deadline: Deadline) throws {
        self.session = session
        handle = try session.retrying(deadline) { crucible_channel_open_session(session.handle) }
    }

    /// A channel abandoned mid-command (timeout) must send its close first, which can
    /// say EAGAIN in non-blocking mode: retry while the close is being sent. Waiting for
    /// the server's close would last as long as the command, so that part is left to
    /// the session, which frees its remaining channels when it ends.
    deinit {
        let grace = Deadline(seconds: 2, what: "channel close")
        while libssh2_channel_free(handle) == LIBSSH2_ERROR_EAGAIN,
              libssh2_session_block_directions(session.handle) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 {
            guard (try? session.waitForSocket(grace)) != nil else { break }
        }
    }

    /// Starts a command and leaves it running (`SSHTransport.startHeld`); `finish` ends its input.
    func start(_ command: String, deadline: Deadline) throws {
        let channel = handle
        try session.retrying(deadline) { crucible_channel_exec(channel, command) }
    }

    /// Sends EOF (the command's input ends) and the channel's close, without waiting for
    /// the command; the channel is freed when dropped.
    func finish(deadline: Deadline) throws {
        let channel = handle
        try session.retrying(deadline) { crucible_channel_send_eof(channel) }
        try session.retrying(deadline) { libssh2_channel_close(channel) }
    }

    /// How a command under way is stopped (Ctrl-C): `requested` is polled while waiting;
    /// once it is true, `perform` is given the stderr read so far and returns true when it
    /// has stopped the command (false: not yet possible, ask again with more stderr). The
    /// channel is then read to its end, for at most `drain` seconds.
    struct Stop {
        let requested: () -> Bool
        let perform: ([UInt8]) throws -> Bool
        var drain: Double = 10
    }

    func exec(_ command: String, stdin: [UInt8], deadline: Deadline, stop: Stop? = nil) throws -> ExecResult {
        let channel = handle
        try start(command, deadline: deadline)
        var result = ExecResult()
        var stdinState = StdinState(bytes: stdin)
        var buffer = [CChar](repeating: 0, count: Self.chunk)
        var deadline = deadline
        var stopped = false
        while true {
            if let stop, !stopped, stop.requested() {
                // Stopping needs the command's pid, its first line on stderr: until that has
                // come, read on (for no longer than it takes to drain the channel).
                if try stop.perform(result.stderr) {
                    stopped = true
                    result.stopped = true
                    deadline = Deadline(seconds: stop.drain, what: "stopping the command")
                } else if !deadline.hasPassed, deadline.seconds == nil || deadline.seconds! > stop.drain {
                    deadline = Deadline(seconds: stop.drain, what: "stopping the command")
                }
            }
            var progressed = try feed(&stdinState)
            // EOF is checked before reading: once it is set every byte is buffered, so two
            // empty reads after it mean both streams are drained.
            let sawEOF = libssh2_channel_eof(channel) != 0
            let stdoutRead = try drain(into: &result.stdout, buffer: &buffer) { crucible_channel_read(channel, $0, $1) }
            let stderrRead = try drain(into: &result.stderr, buffer: &buffer) { crucible_channel_read_stderr(channel, $0, $1) }
            progressed = progressed || stdoutRead.gotBytes || stderrRead.gotBytes
            if sawEOF && stdoutRead.atEnd && stderrRead.atEnd { break }
            // Wait only when both reads were told EAGAIN: a read that returned 0 may just
            // have processed the EOF or close, and the socket has nothing more to say.
            if !progressed && stdoutRead.wouldBlock && stderrRead.wouldBlock {
                do {
                    // With a stop possible, wake up often enough to notice it.
                    try session.waitForSocket(deadline, cap: stop != nil && !stopped ? 200 : nil)
                } catch is StepTimedOut where stop?.requested() == true {
                    // The command was stopped (or could not be): what it printed is the answer.
                    result.stopped = true
                    return result
                }
            }
        }
        try session.retrying(deadline) { libssh2_channel_close(channel) }
        try session.retrying(deadline) { libssh2_channel_wait_closed(channel) }
        result.status = libssh2_channel_get_exit_status(channel)
        result.signal = exitSignal()
        return result
    }

    // MARK: - Streams

    private struct StdinState {
        let bytes: [UInt8]
        var offset = 0
        var eofSent = false
    }

    /// Writes what the channel window takes of stdin, then EOF. A command that exits
    /// without reading its input closes the channel: the rest of stdin is dropped.
    private func feed(_ state: inout StdinState) throws -> Bool {
        guard !state.eofSent else { return false }
        let channel = handle
        if state.offset < state.bytes.count {
            let end = min(state.offset + Self.chunk, state.bytes.count)
            let written = state.bytes[state.offset..<end].withUnsafeBytes { raw in
                crucible_channel_write(channel, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
            }
            if written == Int(LIBSSH2_ERROR_EAGAIN) { return false }
            if written == Int(LIBSSH2_ERROR_CHANNEL_CLOSED) || written == Int(LIBSSH2_ERROR_CHANNEL_EOF_SENT) {
                state.eofSent = true
                return true
            }
            if written < 0 { throw session.lastError(Int32(clamping: written)) }
            state.offset += written
            return written > 0
        }
        let sent = crucible_channel_send_eof(channel)
        if sent == LIBSSH2_ERROR_EAGAIN { return false }
        state.eofSent = true
        return true
    }

    private struct DrainResult {
        var gotBytes = false
        var atEnd = false
        var wouldBlock = false
    }

    /// Reads everything available now on one stream: stops at EAGAIN (nothing yet) or 0
    /// (this stream is finished).
    private func drain(
        into output: inout [UInt8], buffer: inout [CChar],
        _ read: (UnsafeMutablePointer<CChar>, Int) -> Int
    ) throws -> DrainResult {
        var outcome = DrainResult()
        while true {
            let count = buffer.withUnsafeMutableBufferPointer { read($0.baseAddress!, $0.count) }
            if count == Int(LIBSSH2_ERROR_EAGAIN) {
                outcome.wouldBlock = true
                return outcome
            }
            if count < 0 { throw session.lastError(Int32(clamping: count)) }
            if count == 0 {
                outcome.atEnd = true
                return outcome
            }
            outcome.gotBytes = true
            buffer.withUnsafeBytes { output.append(contentsOf: $0.prefix(count)) }
        }
    }

    private func exitSignal() -> String? {
        var name: UnsafeMutablePointer<CChar>?
        var length = 0
        guard libssh2_channel_get_exit_signal(handle, &name, &length, nil, nil, nil, nil) == 0,
              let name, length > 0 else { return nil }
        let signal = String(cString: name)
        libssh2_free(session.handle, name)
        return signal
    }
}
