import Foundation
import CLibSSH2

/// Opens one authenticated session to an endpoint: known_hosts loaded first (it decides
/// the host key algorithm order), TCP connect and handshake, host key check, login.
/// The whole sequence shares the connect timeout.
struct SSHConnector {
    let endpoint: SSHEndpoint
    let options: SSHOptions

    func open() throws -> SSHSession {
        let deadline = Deadline(seconds: endpoint.connectTimeout, what: "connect")
        let known = try KnownHostsFile(path: endpoint.knownHostsFile, host: endpoint.address, port: endpoint.port)
        let session = try handshake(methods: known.preferredMethods(), deadline: deadline)
        let key = try PresentedHostKey(session: session)
        try HostKeyVerifier(knownHostsPath: endpoint.knownHostsFile, acceptNew: options.acceptNewHostKeys)
            .verify(key, known: known, host: endpoint.address, port: endpoint.port)
        var authenticator = Authenticator(
            session: session, user: endpoint.user, host: endpoint.place,
            keyFiles: endpoint.keyFiles.map { ($0.path, $0.explicit) }, secrets: options.secrets,
            agentSocket: options.useAgent ? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] : nil,
            deadline: deadline
        )
        do {
            try authenticator.authenticate()
        } catch is StepTimedOut {
            // Silence is a network problem, not a refused key: say unreachable, so nobody
            // goes looking for a wrong key or password.
            throw ConnectFailure.unreachable("no answer from \(endpoint.place) within \(Int(endpoint.connectTimeout)) s while logging in")
        }
        session.configureKeepalive(seconds: options.keepaliveInterval)
        return session
    }

    /// TCP connect and key exchange; anything that goes wrong here means the host is not
    /// reachable as an SSH server.
    private func handshake(methods: String?, deadline: Deadline) throws -> SSHSession {
        do {
            return try SSHSession(address: endpoint.address, port: endpoint.port, hostKeyMethods: methods, deadline: deadline)
        } catch is StepTimedOut {
            throw ConnectFailure.unreachable("no SSH answer from \(endpoint.place) within \(Int(endpoint.connectTimeout)) s")
        } catch let error as SSHError {
            throw ConnectFailure.unreachable("the SSH handshake with \(endpoint.place) failed: \(error)")
        }
    }
}
