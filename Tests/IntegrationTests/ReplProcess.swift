import Foundation
import XCTest

/// `crucible-sh repl` as a child process fed one line at a time through a pipe, its
/// output collected as it comes, so a test can act between entries (drop a connection,
/// change a file) and wait for what the REPL prints. Waits are bounded polls.
final class ReplProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""

    init(_ arguments: [String], home: String) throws {
        process.executableURL = URL(fileURLWithPath: CrucibleProcess.binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["HOME"] = home
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.append(handle.availableData, error: false) }
        err.fileHandleForReading.readabilityHandler = { [weak self] handle in self?.append(handle.availableData, error: true) }
        try process.run()
    }

    private func append(_ data: Data, error: Bool) {
        lock.withLock {
            if error { stderrText += String(decoding: data, as: UTF8.self) } else { stdoutText += String(decoding: data, as: UTF8.self) }
        }
    }

    var stdout: String { lock.withLock { stdoutText } }
    var stderr: String { lock.withLock { stderrText } }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// Waits until the output (stdout or stderr) holds `text`.
    func waitFor(_ text: String, seconds: Double = 30, file: StaticString = #filePath, line: UInt = #line) {
        let deadline = Date().addingTimeInterval(seconds)
        while !(stdout.contains(text) || stderr.contains(text)) {
            if Date() > deadline {
                return XCTFail("timed out waiting for `\(text)`; stdout:\n\(stdout)\nstderr:\n\(stderr)", file: file, line: line)
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Closes standard input and waits for the exit status.
    func finish() -> Int32 {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
