import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Where passwords and key passphrases come from. The CLI provides one; secrets never come
/// from argv and are never logged or put in error messages.
public protocol SecretSource: Sendable {
    /// The login password for `user` on `host`, or nil to skip password authentication.
    func password(user: String, host: String) -> String?
    /// The passphrase of an encrypted key file, or nil to skip that key.
    func passphrase(keyFile: String) -> String?
}

/// Secrets from the environment: `CRUCIBLE_SSH_PASSWORD` and `CRUCIBLE_KEY_PASSPHRASE`.
public struct EnvironmentSecretSource: SecretSource {
    public static let passwordVariable = "CRUCIBLE_SSH_PASSWORD"
    public static let passphraseVariable = "CRUCIBLE_KEY_PASSPHRASE"

    private let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func password(user: String, host: String) -> String? {
        environment[Self.passwordVariable]
    }

    public func passphrase(keyFile: String) -> String? {
        environment[Self.passphraseVariable]
    }
}

/// The environment first, then a prompt on the terminal (`/dev/tty`, echo off). Prompts are
/// serialised (many hosts connect at once) and each answer is asked once per run: one
/// password for every host with the same user, one passphrase per key file.
public final class TerminalSecretSource: SecretSource, Sendable {
    private let environment: EnvironmentSecretSource
    /// Held while a prompt waits for its answer: that is what serialises the prompts.
    private let answers = Mutex<[String: String?]>([:])

    public init(environment: EnvironmentSecretSource = EnvironmentSecretSource()) {
        self.environment = environment
    }

    public func password(user: String, host: String) -> String? {
        if let value = environment.password(user: user, host: host) { return value }
        return ask(key: "password:\(user)", prompt: "SSH password for \(user) (\(host)): ")
    }

    public func passphrase(keyFile: String) -> String? {
        if let value = environment.passphrase(keyFile: keyFile) { return value }
        return ask(key: "passphrase:\(keyFile)", prompt: "Passphrase for key \(keyFile): ")
    }

    private func ask(key: String, prompt: String) -> String? {
        answers.withLock { answers in
            if let known = answers[key] { return known }
            let answer = Self.readWithoutEcho(prompt: prompt)
            answers[key] = answer
            return answer
        }
    }

    /// Nil when there is no terminal (a cron job, CI): the method is then skipped.
    private static func readWithoutEcho(prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(fd, TCSAFLUSH, &silent)
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            _ = write(fd, "\n", 1)
        }
        _ = prompt.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
