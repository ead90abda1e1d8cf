import Foundation
import CLibSSH2

/// Logs in, in OpenSSH's order: keys from ssh-agent (when SSH_AUTH_SOCK is set), key
/// files (ed25519 and ECDSA work; RSA cannot, see `rsaExplanation`), then a password.
/// Every attempt is recorded so a failure lists what was tried and why each failed.
struct Authenticator {
    let session: SSHSession
    let user: String
    let host: String
    /// Key files in order; `explicit` ones are reported even when missing.
    let keyFiles: [(path: String, explicit: Bool)]
    let secrets: any SecretSource
    let agentSocket: String?
    let deadline: Deadline

    static let rsaExplanation = """
    it is an RSA key: libssh2 1.10 signs only with SHA-1 (ssh-rsa), which OpenSSH 8.8 and later \
    refuse by default; use an ed25519 or ECDSA key (ssh-keygen -t ed25519)
    """

    private var attempts: [String] = []
    /// Answers from the server that refused a key or a password.
    private var refusals = 0

    init(session: SSHSession, user: String, host: String, keyFiles: [(path: String, explicit: Bool)],
         secrets: any SecretSource, agentSocket: String?, deadline: Deadline) {
        self.session = session
        self.user = user
        self.host = host
        self.keyFiles = keyFiles
        self.secrets = secrets
        self.agentSocket = agentSocket
        self.deadline = deadline
    }

    mutating func authenticate() throws {
        guard let offered = try offeredMethods() else { return }
        do {
            if offered.contains("publickey") {
                if try viaAgent() { return }
                if try viaKeyFiles() { return }
            } else {
                attempts.append("public keys (not offered by the server)")
            }
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
        guard offered.contains("password") else {
            attempts.append("password (not offered by the server)")
            return false
        }
        guard let password = secrets.password(user: user, host: host) else {
            attempts.append("password (none given: set \(EnvironmentSecretSource.passwordVariable) or run on a terminal)")
            return false
        }
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
}
