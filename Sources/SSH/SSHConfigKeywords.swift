/// What crucible does with each ssh_config keyword a host's configuration sets. A keyword
/// is honoured (`SSHEndpoint.resolve` reads it, and refuses values it cannot act on), or
/// ignored because it only concerns what the `ssh` program does around a connection
/// (terminals, forwarding, logging, control sockets), never which host is reached, how
/// its key is checked or how crucible logs in. Any other keyword set for a host is an
/// error that names it: nothing that could change the connection is skipped silently.
enum SSHConfigKeywords {
    static let honoured: Set<String> = [
        "hostname", "user", "port", "identityfile", "identitiesonly", "identityagent", "userknownhostsfile",
        "hostkeyalias", "stricthostkeychecking", "proxyjump", "proxycommand", "proxyusefdpass", "connecttimeout",
        "serveraliveinterval", "serveralivecountmax", "hostkeyalgorithms", "kexalgorithms", "ciphers", "macs",
        "pubkeyauthentication", "passwordauthentication", "kbdinteractiveauthentication",
        "challengeresponseauthentication", "batchmode", "addressfamily",
    ]

    /// Keywords with no bearing on how crucible reaches and logs in to a host, and why.
    static let ignored: [String: String] = {
        var reasons: [String: String] = [:]
        let groups: [(String, [String])] = [
            ("crucible opens no terminal and runs its own commands", [
                "requesttty", "remotecommand", "sessiontype", "stdinnull", "forkafterauthentication", "escapechar",
                "enableescapecommandline", "localcommand", "permitlocalcommand", "sendenv", "setenv", "visualhostkey",
                "obscurekeystroketiming", "channeltimeout", "tag",
            ]),
            ("crucible forwards nothing", [
                "localforward", "remoteforward", "dynamicforward", "forwardagent", "forwardx11", "forwardx11timeout",
                "forwardx11trusted", "xauthlocation", "gatewayports", "clearallforwardings", "exitonforwardfailure",
                "permitremoteopen", "streamlocalbindmask", "streamlocalbindunlink", "tunnel", "tunneldevice",
            ]),
            ("crucible keeps one connection per host for the run itself", ["controlmaster", "controlpath", "controlpersist"]),
            ("about ssh's own logging", ["loglevel", "logverbose", "syslogfacility"]),
            ("ssh -G has already applied it to the host name", [
                "canonicaldomains", "canonicalizefallbacklocal", "canonicalizehostname", "canonicalizemaxdots",
                "canonicalizepermittedcnames",
            ]),
            ("crucible keeps the connection's transport settings of its own (TCP keepalive on, no compression, no DSCP marks, libssh2's rekeying)", [
                "tcpkeepalive", "compression", "ipqos", "rekeylimit", "connectionattempts",
            ]),
            ("crucible checks host keys against one known_hosts file only and records plain lines; a key found elsewhere is refused with a message that says so", [
                "globalknownhostsfile", "hashknownhosts", "updatehostkeys", "checkhostip", "verifyhostkeydns",
                "nohostauthenticationforlocalhost", "fingerprinthash", "casignaturealgorithms",
            ]),
            ("a login method or key handling crucible does not use; a failed login lists what was tried and what the server accepts", [
                "gssapiauthentication", "gssapidelegatecredentials", "gssapikeyexchange", "gssapikexalgorithms",
                "gssapirenewalforcesrekey", "gssapitrustdns", "gssapiclientidentity", "gssapiserveridentity",
                "hostbasedauthentication", "hostbasedacceptedalgorithms", "hostbasedkeytypes", "enablesshkeysign",
                "pubkeyacceptedalgorithms", "pubkeyacceptedkeytypes", "addkeystoagent", "numberofpasswordprompts",
                "requiredrsasize", "preferredauthentications",
            ]),
        ]
        for (reason, keywords) in groups {
            for keyword in keywords { reasons[keyword] = reason }
        }
        return reasons
    }()

    /// Keywords crucible cannot honour, with what to do instead.
    static let refused: [String: String] = [
        "revokedhostkeys": "crucible does not read a revoked-keys file (mark revoked keys @revoked in the known_hosts file instead)",
        "knownhostscommand": "crucible cannot run a command for host keys (put the keys in the known_hosts file)",
        "certificatefile": "crucible cannot log in with an SSH certificate (libssh2 1.10 has no certificate support); use a plain key",
        "pkcs11provider": "crucible cannot use keys on a PKCS#11 token; load them into ssh-agent, which crucible asks",
        "securitykeyprovider": "crucible cannot use FIDO security keys (sk- keys); use an ed25519 or ECDSA key",
        "bindaddress": "crucible cannot choose the local address a connection comes from",
        "bindinterface": "crucible cannot choose the local interface a connection goes out of",
        "kbdinteractivedevices": "crucible answers keyboard-interactive prompts for the password only",
    ]
}
