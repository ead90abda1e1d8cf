import Interpreter
import Stdlib

/// A host context with canned facts over any transport: ops under test read their state
/// through `transport`, and their facts from here (gathering facts is not what they test).
struct TestHostContext: HostContext {
    var transport: any Transport
    var cannedFacts: HostFacts
    var checkMode = false
    var backupsByDefault = false
    /// Facts of the run's other hosts, by address.
    var otherFacts: [String: HostFacts] = [:]

    /// Check mode as a run has it: the host as the ops so far would leave it.
    var planned: PlannedState? = nil

    var target: HostTarget { transport.target }

    func facts() async throws -> HostFacts { cannedFacts }

    func probe(_ probe: Probe) async throws -> CommandResult {
        switch planned?.probe(probe) ?? .host {
        case .planned(let result): return result
        case .unknown(let because): throw UnknownInCheckMode(because: because)
        case .host: return try await transport.run(probe.command)
        }
    }

    func readFile(_ path: String) async throws -> [UInt8]? {
        switch planned?.file(path) ?? .host {
        case .planned(let bytes): return bytes
        case .unknown(let because): throw UnknownInCheckMode(because: because)
        case .host: return try await transport.readFile(path)
        }
    }

    func assume(_ plan: OpPlan, op: String) async { planned?.assume(plan, op: op) }

    func facts(of other: HostTarget) async throws -> HostFacts {
        guard let facts = otherFacts[other.address] else { throw OpError("no host \(other.address) in this run") }
        return facts
    }
}

/// Facts of the hosts the recipe targets, built the way real hosts report them (through
/// `HostFacts.parse` of the gather script's output).
enum CannedFacts {
    static let rhel6 = HostFacts.parse("""
        redhat_release=Red Hat Enterprise Linux Server release 6.6 (Santiago)
        init=sysv
        iptables=yes
        selinux=Enforcing
        hostname=c2
        fqdn=c2.example.com
        """)
    static let rhel7 = HostFacts.parse("""
        os_id=rhel
        os_version=7.0
        os_pretty=Red Hat Enterprise Linux Server 7.0 (Maipo)
        redhat_release=Red Hat Enterprise Linux Server release 7.0 (Maipo)
        init=systemd
        firewalld=inactive
        iptables=yes
        selinux=Enforcing
        hostname=c1
        fqdn=c1.example.com
        unit=nfs-idmap
        unit=nfs-lock
        user_nova=162:162
        """)
    static let fedora21 = HostFacts.parse("""
        os_id=fedora
        os_version=21
        init=systemd
        firewalld=active
        iptables=yes
        selinux=Permissive
        hostname=f1
        fqdn=f1.example.com
        unit=nfs-idmapd
        unit=rpc-statd
        unit=nfs-config
        """)
    static var rhel7SELinuxDisabled: HostFacts {
        var facts = rhel7
        facts.selinux = .disabled
        return facts
    }
    static var noFirewall: HostFacts {
        var facts = rhel7
        facts.firewall = .none
        return facts
    }
}

/// Calls ops the way the interpreter does: arguments bound to the spec, the plan applied
/// (or only shown in check mode) by `OpExecutor`.
enum OpRunner {
    static func spec(_ name: String) throws -> OpSpec {
        guard let spec = Stdlib.spec(named: name) else { throw OpError("no op named \(name)") }
        return spec
    }

    static func run(_ name: String, _ arguments: [String: Value], on context: any HostContext) async throws -> OpRecord {
        let spec = try spec(name)
        return try await OpExecutor.execute(spec, OpArguments.bind(spec, arguments), on: context)
    }

    static func query(_ name: String, _ arguments: [String: Value] = [:], on context: any HostContext) async throws -> Value {
        let spec = try spec(name)
        guard case .query(let body) = spec.body else { throw OpError("\(name) is not a query") }
        return try await body(OpArguments.bind(spec, arguments), context)
    }
}
