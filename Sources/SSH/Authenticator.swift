import Foundation
import CLibSSH2

/// Logs in, in OpenSSH's order: keys from ssh-agent (when there is one), key files
/// (ed25519 and ECDSA work; RSA cannot, see `rsaExplanation`), keyboard-interactive, then a
/// password (the same password answers keyboard-interactive's password prompt). Methods
/// the ssh config turns off (PubkeyAuthentication no, ...) are skipped. Every attempt is
/// recorded so a failure lists what was tried and why each failed.
struct Authenticator {
    let session: SSHSession
    let user: String
    let host: String
    /// Key files in order; `explicit` ones are reported even when missing.
    let keyFiles: [(path: String, explicit: Bool)]
    let secrets: any SecretSource
    let agentSocket: String?
    let deadline: Deadline
    private let allowed: (publicKey: Bool, password: Bool, keyboardInteractive: Bool)

    static let rsaExplanation = """
    it is an RSA key: libssh2 1.10 signs only with SHA-1 (ssh-rsa), which OpenSSH 8.8 and later \
    refuse by default; use an ed25519 or ECDSA key (ssh-keygen -t ed25519)
    """

    private var attempts: [String] = []
    /// Answers from the server that refused a key or a password.
    private var refusals = 0

    init(session: SSHSession, endpoint: SSHEndpoint, secrets: any SecretSource, deadline: Deadline) {
        self.session = session
        user = endpoint.user
        host = endpoint.place
        keyFiles = endpoint.keyFiles.map { ($0.path, $0.explicit) }
        self.secrets = secrets
        agentSocket = endpoint.agentSocket
        self.deadline = deadline
        allowed = (endpoint.usePublicKeys, endpoint.usePassword, endpoint.useKeyboardInteractive)
    }

    mutating func authenticate() throws {
        guard let offered = try offeredMethods() else { return }
        do {
            if !allowed.publicKey {
                attempts.append("public keys (PubkeyAuthentication no in the ssh config)")
            } else if offered.contains("publickey") {
                if try viaAgent() { return }
                if try viaKeyFiles() { return }
            } else {
                attempts.append("public keys (not offered by the server)")
            }
            if try viaKeyboardInteractive(offered: offered) { return }
            if try viaPassword(offered: offered) { return }
        } catch let error as SSHError where error.isConnectionLost {
            // Closed after the server refused something: it gave up on us (MaxAuthTries).
            // Closed before it refused anything: sshd died or the network dropped mid-login,
            // which is the host being unreachable, not a login problem.
            guard refusals > 0 else {
                throw ConnectFailure.unreachable(
                    "the connection to \(host) was lost while logging in as \(user) (\(error.message)); "
                    + "sshd stopped or the network dropped before the server answered")
            }
            attempts.append("(the server closed the connection: too many attempts?)")
        }
        throw ConnectFailure.authentication(
            "could not log in as \(user) on \(host); tried: \(attempts.joined(separator: "; ")). "
            + "The server accepts: \(offered.joined(separator: ", "))."
        )
    }

    /// The methods the server accepts for this user; nil when "none" already logged in.
    private func offeredMethods() throws -> [String]? {
        let handle = session.handle
        let name = user
        while true {
            if let list = libssh2_userauth_list(handle, name, UInt32(name.utf8.count)) {
                return String(cString: list).split(separator: ",").map(String.init)
            }
            if libssh2_userauth_authenticated(handle) != 0 { return nil }
            let code = libssh2_session_last_errno(handle)
            guard code == LIBSSH2_ERROR_EAGAIN else { throw session.lastError(code) }
            try session.waitForSocket(deadline)
        }
    }

    // MARK: - Agent

    private mutating func viaAgent() throws -> Bool {
        guard let agentSocket, !agentSocket.isEmpty else {
            attempts.append("ssh-agent (SSH_AUTH_SOCK not set)")
            return false
        }
        guard let agent = libssh2_agent_init(session.handle) else { return false }
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        libssh2_agent_set_identity_path(agent, agentSocket)
        guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else {
            attempts.append("ssh-agent (cannot talk to \(agentSocket))")
            return false
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var tried = 0
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
            previous = identity
            tried += 1
            let name = user
            do {
                try session.retrying(deadline) { libssh2_agent_userauth(agent, name, identity) }
                return true
            } catch let error as SSHError where !error.isConnectionLost {
                try throwIfConnectionLost(error)
                refusals += 1
                continue
            }
        }
        attempts.append(tried == 0 ? "ssh-agent (no keys)" : "ssh-agent (\(tried) key\(tried == 1 ? "" : "s") refused)")
        return false
    }

    // MARK: - Key files

    private mutating func viaKeyFiles() throws -> Bool {
        for (path, explicit) in keyFiles {
            guard let key = PrivateKeyFile(path: path) else {
                if explicit { attempts.append("key \(path) (not found or unreadable)") }
                continue
            }
            if try tryKey(key) { return true }
        }
        return false
    }

    private mutating func tryKey(_ key: PrivateKeyFile) throws -> Bool {
        var passphrase = ""
        if key.isEncrypted {
            guard let given = secrets.passphrase(keyFile: key.path) else {
                attempts.append("key \(key.path) (encrypted, and no passphrase given: set \(EnvironmentSecretSource.passphraseVariable) or run on a terminal)")
                return false
            }
            passphrase = given
        }
        let name = user
        do {
            try session.retrying(deadline) {
                crucible_userauth_publickey_fromfile(session.handle, name, nil, key.path, passphrase)
            }
            return true
        } catch let error as SSHError where !error.isConnectionLost {
            try throwIfConnectionLost(error)
            attempts.append("key \(key.path) (\(keyFailure(error, key: key)))")
            if [LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED].contains(error.code) { refusals += 1 }
            return false
        }
    }

    /// A "refusal" that is really the server closing the connection mid-answer.
    private func throwIfConnectionLost(_ error: SSHError) throws {
        if session.peerHasClosed() { throw SSHError(LIBSSH2_ERROR_SOCKET_DISCONNECT, "the server closed the connection (\(error.message))") }
    }

    private func keyFailure(_ error: SSHError, key: PrivateKeyFile) -> String {
        if key.algorithm == .rsa { return "refused: " + Self.rsaExplanation }
        switch error.code {
        case LIBSSH2_ERROR_FILE, LIBSSH2_ERROR_KEYFILE_AUTH_FAILED:
            return key.isEncrypted ? "cannot decrypt it: wrong passphrase?" : "cannot read it: \(error.message)"
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
            return "refused by the server: not in the user's authorized_keys"
        default:
            return error.description
        }
    }

    // MARK: - Password

    private mutating func viaPassword(offered: [String]) throws -> Bool {
        guard let password = password(for: "password", offered: offered, allowed: allowed.password,
                                      keyword: "PasswordAuthentication") else { return false }
        let name = user
        do {
            try session.retrying(deadline) { crucible_userauth_password(session.handle, name, password) }
            return true
        } catch let error as SSHError where !error.isConnectionLost {
            try throwIfConnectionLost(error)
            attempts.append("password (refused)")
            refusals += 1
            return false
        }
    }

    /// The password for a method the server offers and the config allows; nil (recorded
    /// as an attempt) otherwise.
    private mutating func password(for method: String, offered: [String], allowed: Bool, keyword: String) -> String? {
        guard allowed else {
            attempts.append("\(method) (\(keyword) no in the ssh config)")
            return nil
        }
        guard offered.contains(method) else {
            if method == "password" || !offered.contains("password") { attempts.append("\(method) (not offered by the server)") }
            return nil
        }
        guard let password = secrets.password(user: user, host: host) else {
            attempts.append("\(method) (no password given: set \(EnvironmentSecretSource.passwordVariable), or use --ask-pass on a terminal)")
            return nil
        }
        return password
    }

    // MARK: - Keyboard-interactive

    /// Answers the server's prompts: the password for a prompt that asks for a password
    /// (hidden input), nothing for any other (a one-time code cannot be known), which the
    /// failure then names.
    private mutating func viaKeyboardInteractive(offered: [String]) throws -> Bool {
        guard let password = password(for: "keyboard-interactive", offered: offered, allowed: allowed.keyboardInteractive,
                                      keyword: "KbdInteractiveAuthentication") else { return false }
        let answers = KeyboardInteractiveAnswers(password: password)
        let abstract = libssh2_session_abstract(session.handle)
        let previous = abstract?.pointee
        abstract?.pointee = Unmanaged.passUnretained(answers).toOpaque()
        defer { abstract?.pointee = previous }
        let name = user
        do {
            try withExtendedLifetime(answers) {
                _ = try session.retrying(deadline) {
                    libssh2_userauth_keyboard_interactive_ex(session.handle, name, UInt32(name.utf8.count), keyboardInteractiveCallback)
                }
            }
            return true
        } catch let error as SSHError where !error.isConnectionLost {
            try throwIfConnectionLost(error)
            refusals += 1
            let unanswered = answers.unanswered.map { "`\($0)`" }.joined(separator: ", ")
            attempts.append(unanswered.isEmpty ? "keyboard-interactive (password refused)"
                            : "keyboard-interactive (the server asked \(unanswered), which crucible can only answer with the password)")
            return false
        }
    }
}

/// What the keyboard-interactive callback answers with, reached through the session's
/// abstract pointer (a C callback captures nothing).
final class KeyboardInteractiveAnswers {
    let password: String
    /// Prompts that did not ask for a password.
    var unanswered: [String] = []

    init(password: String) {
        self.password = password
    }

    func answer(_ prompt: String, echo: Bool) -> String {
        let asksPassword = !echo && prompt.lowercased().contains("password")
        if !asksPassword { unanswered.append(prompt.trimmingCharacters(in: .whitespaces)) }
        return asksPassword ? password : ""
    }
}

/// libssh2's keyboard-interactive callback: one answer per prompt, in memory libssh2 frees.
private let keyboardInteractiveCallback: @convention(c) (
    UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, Int32, Int32,
    UnsafePointer<LIBSSH2_USERAUTH_KBDINT_PROMPT>?, UnsafeMutablePointer<LIBSSH2_USERAUTH_KBDINT_RESPONSE>?,
    UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Void = { _, _, _, _, count, prompts, responses, abstract in
    guard let prompts, let responses, let context = abstract?.pointee else { return }
    let answers = Unmanaged<KeyboardInteractiveAnswers>.fromOpaque(context).takeUnretainedValue()
    for index in 0..<Int(max(0, count)) {
        let prompt = prompts[index]
        let text = prompt.text.map { pointer in
            String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(prompt.length)), as: UTF8.self)
        } ?? ""
        let answer = answers.answer(text, echo: prompt.echo != 0)
        responses[index].text = strdup(answer)
        responses[index].length = UInt32(answer.utf8.count)
    }
}
