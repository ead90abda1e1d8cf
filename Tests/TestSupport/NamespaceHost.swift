import Foundation
import Interpreter

/// A throwaway "host" for tests that need real iptables without touching this machine's
/// own rules: a network namespace of its own (`crsys-<random>`), and a private view of
/// /etc (an overlay over the real one whose upper folder the test reads), set up again for
/// every command inside a private mount namespace. Programs this machine cannot run for
/// real (`service`, SysV scripts) can be given as stubs in a folder put first in PATH.
public final class NamespaceHost: @unchecked Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case command(String, status: Int32, output: String)
        public var description: String {
            switch self {
            case .command(let command, let status, let output): return "`\(command)` failed (\(status)): \(output)"
            }
        }
    }

    /// The network namespace's name (at most 15 characters).
    public let netns: String
    /// Holds `upper/` (the host's changed /etc files), `work/` and `bin/` (stubs).
    public let root: URL

    public var etcUpper: URL { root.appendingPathComponent("upper") }
    public var stubDirectory: URL { root.appendingPathComponent("bin") }

    /// Creates the namespace; call `destroy()` in tearDown.
    public init(prefix: String = "crsys") throws {
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        netns = "\(prefix)-\(suffix)".prefix(15).description
        root = URL(fileURLWithPath: "/tmp/crucible-ns/\(netns)")
        for folder in ["upper", "work", "bin"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Self.shell(ShellQuote.command(["ip", "netns", "add", netns]))
    }

    /// Deletes the namespace (its iptables rules go with it) and the folders.
    public func destroy() {
        _ = try? Self.shell(ShellQuote.command(["ip", "netns", "delete", netns]))
        try? FileManager.default.removeItem(at: root)
    }

    /// The command line that runs `command` inside this host.
    public func wrap(_ command: String) -> String {
        let setup = ShellQuote.command(["mount", "-t", "overlay", "overlay", "-o",
                                        "lowerdir=/etc,upperdir=\(etcUpper.path),workdir=\(root.appendingPathComponent("work").path)",
                                        "/etc"])
            + " && PATH=" + ShellQuote.quote(stubDirectory.path) + ":\"$PATH\" && export PATH && exec sh -c \"$1\""
        return ShellQuote.command(["ip", "netns", "exec", netns, "unshare", "--mount", "--propagation", "private",
                                   "sh", "-c", setup, "sh", command])
    }

    /// Runs `command` inside the host and returns its output; throws when it fails.
    @discardableResult
    public func run(_ command: String) throws -> String {
        try Self.shell(wrap(command))
    }

    /// Writes an executable stub program `name` into the host's PATH.
    public func installStub(_ name: String, script: String) throws {
        let url = stubDirectory.appendingPathComponent(name)
        try ("#!/bin/sh\n" + script).write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    /// Puts a file into the host's /etc (`relativePath` below /etc).
    public func writeEtc(_ relativePath: String, _ text: String) throws {
        let url = etcUpper.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Hides a file of the real /etc from the host (an overlay whiteout), as a RHEL 6 host
    /// has no /etc/os-release.
    public func hideEtc(_ relativePath: String) throws {
        try Self.shell(ShellQuote.command(["mknod", etcUpper.appendingPathComponent(relativePath).path, "c", "0", "0"]))
    }

    /// A file of the host's /etc as the host sees it, when the host changed or created it.
    public func readEtc(_ relativePath: String) -> String? {
        try? String(contentsOf: etcUpper.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// A transport whose commands run inside this host.
    public func transport() -> NamespaceTransport { NamespaceTransport(host: self) }

    @discardableResult
    static func shell(_ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " 2>&1"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure.command(command, status: process.terminationStatus, output: output)
        }
        return output
    }
}

/// Runs commands inside a `NamespaceHost` by wrapping a `LocalTransport`: each command
/// becomes `ip netns exec NS unshare --mount ... sh -c CMD`.
public final class NamespaceTransport: Transport, @unchecked Sendable {
    public let host: NamespaceHost
    private let local: LocalTransport
    private let lock = NSLock()
    private var commands: [String] = []

    public init(host: NamespaceHost) {
        self.host = host
        local = LocalTransport(target: HostTarget(address: "local", displayName: host.netns))
    }

    public var target: HostTarget { local.target }

    /// Every command run so far, unwrapped, in order.
    public var recorded: [String] {
        lock.lock(); defer { lock.unlock() }
        return commands
    }

    public func connect() async throws {}

    private func record(_ command: String) {
        lock.lock(); defer { lock.unlock() }
        commands.append(command)
    }

    public func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        record(command)
        return try await local.run(host.wrap(command), stdin: stdin, timeout: timeout)
    }

    public func readFile(_ path: String) async throws -> [UInt8]? {
        let result = try await run(AtomicWrite.readCommand(path: path))
        if result.status == AtomicWrite.missingFileStatus && result.stdout.isEmpty { return nil }
        guard result.succeeded else { throw TransportError.io(host: host.netns, message: result.stderrText) }
        return result.stdout
    }

    public func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        let result = try await run(AtomicWrite.command(path: path, options: options), stdin: contents, timeout: nil)
        guard result.succeeded else { throw TransportError.io(host: host.netns, message: result.stderrText) }
    }

    public func stats() -> TransportStats { local.stats() }

    public func close() async {}
}
