import Foundation
import CLibSSH2

/// Opens one authenticated session to an endpoint: known_hosts looked up first (it decides
/// the host key algorithm order), the link (TCP, a tunnel through a jump host, or a
/// ProxyCommand), the handshake, the host key check, the login. The whole sequence
/// shares the connect timeout.
struct SSHConnector {
    let endpoint: SSHEndpoint
    let options: SSHOptions

    func open() throws -> SSHSession {
        let deadline = Deadline(seconds: endpoint.connectTimeout, what: "connect")
        let hostKeyPort = endpoint.hostKeyName == endpoint.address ? endpoint.port : 22
        let known = try options.knownHosts.file(path: endpoint.knownHostsFile, host: endpoint.hostKeyName, port: hostKeyPort)
        let session = try handshake(methods: methods(known), deadline: deadline)
        let key = try PresentedHostKey(session: session)
        try HostKeyVerifier(knownHostsPath: endpoint.knownHostsFile, acceptNew: endpoint.acceptNewHostKeys, store: options.knownHosts)
            .verify(key, known: known, host: endpoint.hostKeyName, port: hostKeyPort)
        var authenticator = Authenticator(
            session: session, endpoint: endpoint,
            secrets: endpoint.batchMode ? EnvironmentSecretSource() : options.secrets, deadline: deadline
        )
        do {
            try authenticator.authenticate()
        } catch is StepTimedOut {
            // Silence is a network problem, not a refused key: say unreachable, so nobody
            // goes looking for a wrong key or password.
            throw ConnectFailure.unreachable("no answer from \(endpoint.place) within \(Int(endpoint.connectTimeout)) s while logging in")
        }
        session.configureKeepalive(seconds: endpoint.keepaliveInterval, countMax: endpoint.keepaliveCountMax)
        return session
    }

    /// The algorithm lists for the handshake: the configuration's, and for host keys the
    /// types known_hosts holds first (kept to the configuration's list when it has one).
    private func methods(_ known: KnownHostsFile) -> [Int32: String] {
        var methods: [Int32: String] = [:]
        for (method, list) in endpoint.algorithms { methods[method] = list.joined(separator: ",") }
        for (client, server) in [(LIBSSH2_METHOD_CRYPT_CS, LIBSSH2_METHOD_CRYPT_SC), (LIBSSH2_METHOD_MAC_CS, LIBSSH2_METHOD_MAC_SC)] {
            methods[server] = methods[client]
        }
        if let preferred = known.preferredMethods()?.split(separator: ",").map(String.init) {
            let allowed = endpoint.algorithms[LIBSSH2_METHOD_HOSTKEY]
            methods[LIBSSH2_METHOD_HOSTKEY] = preferred.filter { allowed?.contains($0) ?? true }.joined(separator: ",")
        }
        return methods.filter { !$0.value.isEmpty }
    }

    /// The link and the key exchange; anything that goes wrong here means the host is not
    /// reachable as an SSH server, and says why as precisely as it can.
    private func handshake(methods: [Int32: String], deadline: Deadline) throws -> SSHSession {
        let link = try openLink(deadline: deadline)
        do {
            return try SSHSession(link: link, methods: methods, deadline: deadline)
        } catch is StepTimedOut {
            throw ConnectFailure.unreachable("no SSH answer from \(endpoint.place)\(through) within \(Int(endpoint.connectTimeout)) s"
                                             + (link.endNote().map { ": " + $0 } ?? ""))
        } catch let error as SSHError {
            if let note = link.endNote() {
                throw ConnectFailure.unreachable("the SSH handshake with \(endpoint.place) failed: \(note)")
            }
            if error.code == LIBSSH2_ERROR_KEX_FAILURE {
                throw ConnectFailure.unreachable(KeyExchangeFailure(endpoint: endpoint, options: options, error: error,
                                                                    methods: methods).explain(deadline: deadline))
            }
            throw ConnectFailure.unreachable("the SSH handshake with \(endpoint.place)\(through) failed: \(error)")
        }
    }

    /// " (through bastion)" for messages about a host behind a jump host.
    private var through: String {
        switch endpoint.route {
        case .direct: return ""
        case .jump(let via): return " (through \(via.name))"
        case .command: return " (through its ProxyCommand)"
        }
    }

    /// The byte stream the session runs on, by the endpoint's route.
    func openLink(deadline: Deadline) throws -> SocketLink {
        switch endpoint.route {
        case .direct:
            return try SocketLink.tcp(address: endpoint.address, port: endpoint.port, family: endpoint.addressFamily, deadline: deadline)
        case .jump(let via):
            return try options.jumpHosts.tunnel(via: via, to: endpoint.address, port: endpoint.port, for: endpoint.name,
                                                options: options, deadline: deadline)
        case .command(let command):
            return try SocketLink.proxyCommand(command, host: endpoint.name)
        }
    }
}
