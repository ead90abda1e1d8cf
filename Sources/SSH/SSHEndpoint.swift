import Foundation
import CLibSSH2
import HostIO

/// A host target with its ssh configuration applied: where to connect and through what,
/// as whom, with which keys and algorithms. Values in the target or the options win over
/// the configuration, as on ssh's command line. Built by `resolve`, which refuses what
/// crucible cannot honour (see `SSHConfigKeywords`) with a message that names the option.
struct SSHEndpoint: Sendable, Equatable {
    /// How the connection reaches the host.
    indirect enum Route: Sendable, Equatable {
        case direct
        /// A direct-tcpip channel of this jump host's connection (ProxyJump).
        case jump(SSHEndpoint)
        /// A shell command whose stdin and stdout are the connection (ProxyCommand), its
        /// tokens already expanded.
        case command(String)
    }

    struct KeyFile: Sendable, Equatable {
        var path: String
        var explicit: Bool
    }

    /// The host as the recipe (or a ProxyJump list) names it: an alias, or an address.
    var name: String
    var address: String
    var port: Int
    var user: String
    var keyFiles: [KeyFile]
    var knownHostsFile: String
    /// The name known_hosts knows the host by: HostKeyAlias, else the address.
    var hostKeyName: String
    var connectTimeout: Double
    var route: Route = .direct
    /// Algorithm lists the configuration chose, by libssh2 method type, cut to what
    /// libssh2 supports, in the configuration's order.
    var algorithms: [Int32: [String]] = [:]
    var acceptNewHostKeys: Bool
    /// The ssh-agent to ask for keys; nil: none.
    var agentSocket: String?
    var usePublicKeys = true
    var usePassword = true
    var useKeyboardInteractive = true
    /// BatchMode: secrets only from the environment, never a prompt.
    var batchMode = false
    var keepaliveInterval: Int
    var keepaliveCountMax = SSHSession.keepaliveCountMax
    var addressFamily = AF_UNSPEC

    /// `address port N` for messages (the port only when it is not 22).
    var place: String { port == 22 ? address : "\(address) port \(port)" }

    /// The whole way to the host, for telling connections apart: `root@10.0.0.5:22 via ...`.
    var identity: String {
        var text = "\(user)@\(address):\(port) \(knownHostsFile) \(hostKeyName)"
        switch route {
        case .direct: break
        case .jump(let via): text += " via " + via.identity
        case .command(let command): text += " command " + command
        }
        return text
    }

    static func currentUser() -> String {
        if let name = getpwuid(geteuid())?.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }
}

// MARK: - Resolving

extension SSHEndpoint {
    /// The endpoint for a target, its jump hosts resolved the same way. Runs `ssh -G`:
    /// call it on a worker thread, never on Swift's cooperative pool.
    static func resolve(_ target: HostTarget, options: SSHOptions, localUser: String = currentUser()) throws -> SSHEndpoint {
        try resolve(name: target.address, user: target.user, port: target.port, options: options, localUser: localUser,
                    route: nil, depth: 0)
    }

    /// `route` nil: the host's own ProxyJump or ProxyCommand decides it.
    private static func resolve(name: String, user: String?, port: Int?, options: SSHOptions, localUser: String,
                                route: Route?, depth: Int) throws -> SSHEndpoint {
        let config = try hostConfig(name: name, user: user, port: port, options: options)
        var endpoint = try SSHEndpoint(name: name, config: config, options: options, localUser: localUser)
        if let route {
            endpoint.route = route
            return endpoint
        }
        if let jumps = config.first("proxyjump"), config.isSet("proxyjump"), jumps.lowercased() != "none" {
            guard depth < 8 else {
                throw ConnectFailure.configuration("ProxyJump for \(name): more than 8 jump hosts in a row (a loop in the ssh config?)")
            }
            var via: SSHEndpoint?
            for hop in jumps.split(separator: ",").map({ String($0) }) {
                let jump = try jumpTarget(hop, of: name)
                via = try resolve(name: jump.address, user: jump.user, port: jump.port, options: options, localUser: localUser,
                                  route: via.map(Route.jump), depth: depth + 1)
            }
            if let via { endpoint.route = .jump(via) }
        } else if let command = config.first("proxycommand"), config.isSet("proxycommand"), command.lowercased() != "none" {
            endpoint.route = .command(try endpoint.expandProxyCommand(command, localUser: localUser, home: options.home))
        }
        return endpoint
    }

    static func hostConfig(name: String, user: String?, port: Int?, options: SSHOptions) throws -> HostConfig {
        if let program = options.sshProgram {
            return try OpenSSHResolver.resolve(program: program, alias: name, user: user, port: port,
                                               configFile: options.sshConfigForOpenSSH)
        }
        return options.sshConfigs.config(path: options.sshConfigPath, home: options.home).hostConfig(for: name, user: user, port: port)
    }

    /// One entry of a ProxyJump list: `[user@]host[:port]` or `ssh://[user@]host[:port]`.
    private static func jumpTarget(_ hop: String, of name: String) throws -> HostTarget {
        var text = hop.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("ssh://") { text = String(text.dropFirst(6)) }
        do {
            return try HostTarget.parse(text)
        } catch {
            throw ConnectFailure.configuration("ProxyJump \(hop) for \(name): \(error)")
        }
    }

    /// Applies a host's configuration, refusing what crucible cannot honour.
    init(name: String, config: HostConfig, options: SSHOptions, localUser: String) throws {
        func refuse(_ message: String) -> ConnectFailure {
            .configuration("\(message) (read with \(config.source))")
        }
        if let match = config.unevaluated.first {
            throw refuse("the built-in reader cannot evaluate Match blocks (\(match)); install the OpenSSH client "
                         + "(ssh), whose `ssh -G` crucible then asks, or turn the Match block into Host blocks")
        }
        for keyword in config.configured.sorted() where !SSHConfigKeywords.honoured.contains(keyword) {
            let value = config.all(keyword).joined(separator: " ")
            if SSHConfigKeywords.ignored[keyword] != nil { continue }
            if let reason = SSHConfigKeywords.refused[keyword] {
                throw refuse("\(Self.display(keyword)) \(value) is set for \(name), and \(reason)")
            }
            throw refuse("\(Self.display(keyword)) \(value) is set for \(name), and crucible does not know that option: "
                         + "remove it for this host if it does not matter to the connection")
        }
        self.name = name
        address = config.first("hostname") ?? name
        user = config.first("user") ?? localUser
        port = config.first("port").flatMap { Int($0) } ?? 22
        let (home, remoteUser, host) = (options.home, user, address)
        let expand = { (path: String) in
            SSHConfig.expand(path, home: home, localUser: localUser, remoteUser: remoteUser, host: host)
        }
        var files = options.identityFiles.map { KeyFile(path: expand($0), explicit: true) }
        if config.isSet("identityfile") { files += config.all("identityfile").map { KeyFile(path: expand($0), explicit: true) } }
        files += ["id_ed25519", "id_ecdsa"].map { KeyFile(path: options.home + "/.ssh/" + $0, explicit: false) }
        var seen = Set<String>()
        keyFiles = files.filter { seen.insert($0.path).inserted }
        knownHostsFile = options.knownHostsFile.map(expand)
            ?? (config.isSet("userknownhostsfile") ? config.first("userknownhostsfile").map(expand) : nil)
            ?? options.home + "/.ssh/known_hosts"
        hostKeyName = config.isSet("hostkeyalias") ? config.first("hostkeyalias") ?? address : address
        connectTimeout = config.isSet("connecttimeout") ? config.first("connecttimeout").flatMap { Double($0) } ?? options.connectTimeout
            : options.connectTimeout
        keepaliveInterval = config.isSet("serveraliveinterval")
            ? config.first("serveraliveinterval").flatMap { Int($0) } ?? options.keepaliveInterval : options.keepaliveInterval
        if config.isSet("serveralivecountmax"), let count = config.first("serveralivecountmax").flatMap({ Int($0) }) {
            keepaliveCountMax = max(1, count)
        }
        acceptNewHostKeys = options.acceptNewHostKeys
        if config.isSet("stricthostkeychecking") {
            switch config.first("stricthostkeychecking")?.lowercased() ?? "" {
            case "yes", "ask", "true": break
            case "accept-new": acceptNewHostKeys = true
            case "no", "off", "false":
                guard options.acceptNewHostKeys else {
                    throw refuse("StrictHostKeyChecking no is set for \(name), and crucible never connects without checking "
                                 + "the host key: rerun with --accept-new-host-keys (records the keys of new hosts, refuses "
                                 + "changed ones), or set StrictHostKeyChecking accept-new for this host")
                }
            case let other:
                throw refuse("StrictHostKeyChecking \(other) is set for \(name): expected yes, ask, accept-new or no")
            }
        }
        if config.isSet("proxyusefdpass"), config.first("proxyusefdpass")?.lowercased() == "yes" {
            throw refuse("ProxyUseFdpass yes is set for \(name), and crucible cannot take a socket passed by the ProxyCommand; "
                         + "let the command relay the connection on its stdin and stdout instead")
        }
        algorithms = try Self.algorithms(config, name: name, refuse: refuse)
        agentSocket = Self.agentSocket(config, options: options, expand: expand)
        let off = { (keyword: String) in config.isSet(keyword) && config.first(keyword)?.lowercased() == "no" }
        usePublicKeys = !off("pubkeyauthentication")
        usePassword = !off("passwordauthentication")
        useKeyboardInteractive = !off("kbdinteractiveauthentication") && !off("challengeresponseauthentication")
        batchMode = config.isSet("batchmode") && config.first("batchmode")?.lowercased() == "yes"
        switch config.isSet("addressfamily") ? config.first("addressfamily")?.lowercased() : nil {
        case "inet": addressFamily = AF_INET
        case "inet6": addressFamily = AF_INET6
        default: break
        }
    }

    /// KexAlgorithms, HostKeyAlgorithms, Ciphers and MACs a configuration set, cut to what
    /// libssh2 has; a list with nothing libssh2 has is an error that names both lists.
    private static func algorithms(_ config: HostConfig, name: String, refuse: (String) -> ConnectFailure) throws -> [Int32: [String]] {
        var chosen: [Int32: [String]] = [:]
        let kinds: [(String, Int32)] = [
            ("kexalgorithms", LIBSSH2_METHOD_KEX), ("hostkeyalgorithms", LIBSSH2_METHOD_HOSTKEY),
            ("ciphers", LIBSSH2_METHOD_CRYPT_CS), ("macs", LIBSSH2_METHOD_MAC_CS),
        ]
        for (keyword, method) in kinds where config.isSet(keyword) {
            let wanted = (config.first(keyword) ?? "").split(separator: ",").map(String.init)
            let supported = LibSSH2.supportedAlgorithms(method)
            let kept = wanted.filter(supported.contains)
            guard !kept.isEmpty else {
                throw refuse("\(display(keyword)) \(wanted.joined(separator: ",")) is set for \(name), and libssh2 1.10 "
                             + "supports none of them; it has \(supported.joined(separator: ",")): allow one of those for this host")
            }
            chosen[method] = kept
        }
        return chosen
    }

    /// IdentityAgent (a path, `SSH_AUTH_SOCK`, `$VARIABLE` or `none`), else SSH_AUTH_SOCK;
    /// none with IdentitiesOnly yes or when the options turn the agent off.
    private static func agentSocket(_ config: HostConfig, options: SSHOptions, expand: (String) -> String) -> String? {
        let environment = ProcessInfo.processInfo.environment
        guard options.useAgent, !(config.isSet("identitiesonly") && config.first("identitiesonly")?.lowercased() == "yes") else {
            return nil
        }
        guard config.isSet("identityagent"), let agent = config.first("identityagent") else { return environment["SSH_AUTH_SOCK"] }
        switch agent {
        case "none": return nil
        case "SSH_AUTH_SOCK": return environment["SSH_AUTH_SOCK"]
        case let variable where variable.hasPrefix("$"): return environment[String(variable.dropFirst())]
        default: return expand(agent)
        }
    }

    /// ProxyCommand's tokens: %h %p %r %n %u %d and %%; any other is an error, not a guess.
    func expandProxyCommand(_ command: String, localUser: String, home: String) throws -> String {
        var result = ""
        var iterator = command.makeIterator()
        while let character = iterator.next() {
            guard character == "%" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "h": result += address
            case "p": result += String(port)
            case "r": result += user
            case "n": result += name
            case "u": result += localUser
            case "d": result += home
            case "%": result += "%"
            case let other:
                throw ConnectFailure.configuration("ProxyCommand \(command) for \(name): crucible does not expand %\(other.map(String.init) ?? "")")
            }
        }
        return result
    }

    /// The keyword as the ssh_config manual writes it, for messages.
    static func display(_ keyword: String) -> String {
        let names = [
            "kexalgorithms": "KexAlgorithms", "hostkeyalgorithms": "HostKeyAlgorithms", "ciphers": "Ciphers", "macs": "MACs",
            "revokedhostkeys": "RevokedHostKeys", "knownhostscommand": "KnownHostsCommand", "certificatefile": "CertificateFile",
            "pkcs11provider": "PKCS11Provider", "securitykeyprovider": "SecurityKeyProvider", "bindaddress": "BindAddress",
            "bindinterface": "BindInterface", "kbdinteractivedevices": "KbdInteractiveDevices",
        ]
        return names[keyword] ?? keyword
    }
}
