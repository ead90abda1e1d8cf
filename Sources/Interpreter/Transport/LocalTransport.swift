import Foundation

/// Runs everything on this machine through `/bin/sh -c`: recipes without SSH, and the
/// tests of ops on real files.
public final class LocalTransport: Transport, @unchecked Sendable {
    public let target: HostTarget
    private let lock = NSLock()
    private var counters = TransportStats()

    public init(target: HostTarget = .local) {
        self.target = target
    }

    public func connect() async throws {}

    public func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        count { $0.execChannels += 1 }
        let host = target.name
        return try await BlockingWork.run(name: "crucible-local-exec") {
            try Self.spawn(command, stdin: stdin, timeout: timeout, host: host)
        }
    }

    public func readFile(_ path: String) async throws -> [UInt8]? {
        let result = try await run(AtomicWrite.readCommand(path: path))
        if result.status == AtomicWrite.missingFileStatus && result.stdout.isEmpty { return nil }
        guard result.succeeded else {
            throw TransportError.io(host: target.name, message: "cannot read \(path): \(result.stderrText.trimmed)")
        }
        return result.stdout
    }

    public func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        let result = try await run(AtomicWrite.command(path: path, options: options, expectedSize: contents.count), stdin: contents, timeout: nil)
        guard result.succeeded else {
            throw TransportError.io(host: target.name, message: "cannot write \(path): \(result.stderrText.trimmed)")
        }
        count { $0.bytesWritten += contents.count }
    }

    public func stats() -> TransportStats {
        lock.lock(); defer { lock.unlock() }
        return counters
    }

    public func close() async {}

    private func count(_ update: (inout TransportStats) -> Void) {
        lock.lock(); defer { lock.unlock() }
        update(&counters)
    }

    /// Spawns the shell, feeds stdin and drains stdout/stderr on their own threads (so a
    /// large output cannot fill a pipe and deadlock), and enforces the timeout.
    private static func spawn(_ command: String, stdin: [UInt8]?, timeout: Double?, host: String) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        process.standardInput = inPipe
        process.standardOutput = outPipe
        process.standardError = errPipe
        do { try process.run() } catch {
            throw TransportError.io(host: host, message: "cannot start /bin/sh: \(error)")
        }
        let group = DispatchGroup()
        let output = ByteBox(), errors = ByteBox()
        for (pipe, box) in [(outPipe, output), (errPipe, errors)] {
            group.enter()
            Thread.detachNewThread {
                box.bytes = Array(pipe.fileHandleForReading.readDataToEndOfFile())
                group.leave()
            }
        }
        let stdinBytes = stdin ?? []
        Thread.detachNewThread {
            if !stdinBytes.isEmpty { try? inPipe.fileHandleForWriting.write(contentsOf: stdinBytes) }
            try? inPipe.fileHandleForWriting.close()
        }
        if let timeout {
            if group.wait(timeout: .now() + timeout) == .timedOut {
                process.terminate()
                throw TransportError.timeout(host: host, what: "command", seconds: timeout)
            }
        } else {
            group.wait()
        }
        process.waitUntilExit()
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return CommandResult(stdout: output.bytes, stderr: errors.bytes, status: status)
    }
}

private final class ByteBox: @unchecked Sendable {
    var bytes: [UInt8] = []
}

extension String {
    public var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
