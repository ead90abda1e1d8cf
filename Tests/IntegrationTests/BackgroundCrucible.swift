import Foundation

/// A crucible-sh process started in the background, so that a test can hurt the run while
/// it is going on (cut a host off, kill sshd) or kill the process itself.
final class BackgroundCrucible {
    private let process = Process()
    private let stdoutFile: URL
    private let stderrFile: URL
    let started = ContinuousClock.now

    init(_ arguments: [String]) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-bg-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutFile = scratch.appendingPathComponent("stdout")
        stderrFile = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: CrucibleProcess.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    var isRunning: Bool { process.isRunning }

    /// SIGKILL: the process gets no chance to clean up, as with `kill -9` or a power cut.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// SIGINT, as Ctrl-C on a terminal sends it.
    func interrupt() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGINT) }
    }

    /// Waits for the process to end; kills it after `limit` seconds and says so (a hang).
    func wait(limit: Double) -> (result: CrucibleProcess.Result, hung: Bool) {
        let end = ContinuousClock.now + .milliseconds(Int(limit * 1000))
        var hung = false
        while process.isRunning {
            if ContinuousClock.now >= end {
                hung = true
                kill()
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: stdoutFile.deletingLastPathComponent())
        return (CrucibleProcess.Result(status: process.terminationStatus, stdout: stdout, stderr: stderr), hung)
    }

    var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

extension BackgroundCrucible {
    /// Waits for a run without faults (two minutes at most) and says how long it took.
    static func runToEnd(_ run: BackgroundCrucible) -> (result: CrucibleProcess.Result, seconds: Double) {
        let (result, _) = run.wait(limit: 120)
        return (result, run.elapsedSeconds)
    }
}
