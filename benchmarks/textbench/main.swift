import Foundation
import Interpreter
import Stdlib
#if canImport(Glibc)
import Glibc
#endif

// crucible-textbench: the text engines' cost, through the ops themselves (argument binding,
// plan, and in check mode the diff), on files held in memory: no host, no exec. Each case
// runs REPS times (default 15) after one warm-up; the table gives the median and the best
// CPU time of one op call (user+sys of this process, CLOCK_PROCESS_CPUTIME_ID).
//
//     swift build -c release --product crucible-textbench
//     .build/release/crucible-textbench [REPS] [CASE-SUBSTRING]
//
// See benchmarks/RESULTS.md ("Text engines") for what each case is and the numbers.

/// A transport that serves files from memory and runs nothing.
final class MemoryTransport: Transport, @unchecked Sendable {
    let target = HostTarget(address: "bench")
    let files: [String: [UInt8]]
    init(files: [String: [UInt8]]) { self.files = files }
    func connect() async throws {}
    func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        CommandResult(stdout: [], stderr: [], status: 0)
    }
    func readFile(_ path: String) async throws -> [UInt8]? { files[path] }
    func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {}
    func stats() -> TransportStats { TransportStats() }
    func close() async {}
}

struct MemoryContext: HostContext {
    var transport: any Transport
    var target: HostTarget { transport.target }
    var checkMode: Bool { true }
    var backupsByDefault: Bool { true }
    func facts() async throws -> HostFacts { HostFacts.parse("init=systemd\n") }
    func facts(of other: HostTarget) async throws -> HostFacts { try await facts() }
}

struct Case {
    var name: String
    var op: String
    var files: [String: [UInt8]]
    var arguments: [String: Value]
    /// Whether the op must report a change (checked once, so a case cannot silently measure
    /// the wrong path).
    var changes: Bool
}

func cpuNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

// MARK: - Files

let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixture(_ path: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: repo.appendingPathComponent("Tests/Fixtures/" + path).path) else {
        fatalError("missing fixture \(path) (run from the repository)")
    }
    return Array(data)
}

/// A 100,000-line INI file shaped like nova.conf: 250 sections of 400 lines, each a stretch of
/// help comments, commented-out defaults and a few active settings.
func bigIni(lines total: Int) -> [UInt8] {
    var text = "[DEFAULT]\n"
    var lines = 1
    var section = 0
    while lines < total {
        if lines % 400 == 0 {
            section += 1
            text += "\n[section\(section)]\n"
            lines += 2
            continue
        }
        let key = "option_\(lines % 97)_\(section)"
        switch lines % 8 {
        case 0, 1, 2: text += "# Help text for \(key): what it does, its type and its default value.\n"
        case 3: text += "#\(key)=default\n"
        case 4: text += "\n"
        case 5: text += "# (string value)\n"
        case 6: text += "active_\(lines)_\(section) = value \(lines)\n"
        default: text += "#\n"
        }
        lines += 1
    }
    return Array(text.utf8)
}

func hostsFile(nodes: Int, listed: Bool) -> [UInt8] {
    var text = "127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4\n"
    text += "::1         localhost localhost.localdomain localhost6 localhost6.localdomain6\n"
    if listed {
        for node in 0..<nodes { text += "\(nodeAddress(node)) \(nodeName(node)).example.com \(nodeName(node))\n" }
    }
    return Array(text.utf8)
}

func nodeAddress(_ node: Int) -> String { "10.\(node / 65536).\(node / 256 % 256).\(node % 256 + 1)" }
func nodeName(_ node: Int) -> String { "node\(node)" }

func hostsEntries(nodes: Int) -> Value {
    .list((0..<nodes).map { node in
        .record(["address": .string(nodeAddress(node)),
                 "names": .list([.string("\(nodeName(node)).example.com"), .string(nodeName(node))])])
    })
}

// MARK: - Cases

func cases() -> [Case] {
    let ini = bigIni(lines: 100_000)
    let midSection = "section125"
    // The same settings once written: the no-change run of the same edit.
    let bigSettings: Value = .record(["option_3_125": .string("changed"), "active_50006_125": .string("new value"),
                                      "brand_new_key": .int(1)])
    let nova = fixture("upstream/nova/rdo-juno-2014.2.1/nova.conf.sample")
    let novaDefault: Value = .record(["instances_path": .string("/var/lib/nova/instances"),
                                      "vncserver_listen": .string("0.0.0.0"),
                                      "live_migration_flag": .string("VIR_MIGRATE_UNDEFINE_SOURCE,VIR_MIGRATE_PEER2PEER,VIR_MIGRATE_LIVE")])
    let libvirtd = fixture("rhel7/etc/libvirt/libvirtd.conf")
    let libvirtdSettings: Value = .record(["listen_tls": .int(0), "listen_tcp": .int(1), "auth_tcp": .string("\"none\"")])
    let fstab = fixture("rhel7/etc/fstab")
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchmarkKeyBenchmarkKeyBenchmarkKey0001 nova@ctl"
    var keys = ""
    for index in 0..<1_000 { keys += "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKey\(index)OtherKeyOtherKey user\(index)@host\n" }
    return [
        Case(name: "edit-ini: 100,000-line INI, 3 keys, first run", op: "edit-ini", files: ["/f.ini": ini],
             arguments: ["path": .string("/f.ini"), "section": .string(midSection), "settings": bigSettings], changes: true),
        Case(name: "edit-ini: 100,000-line INI, 3 keys, no change", op: "edit-ini",
             files: ["/f.ini": applied("edit-ini", ["/f.ini": ini], ["path": .string("/f.ini"), "section": .string(midSection), "settings": bigSettings])],
             arguments: ["path": .string("/f.ini"), "section": .string(midSection), "settings": bigSettings], changes: false),
        Case(name: "hosts-entries: 1,000 nodes, first run", op: "hosts-entries", files: ["/hosts": hostsFile(nodes: 1_000, listed: false)],
             arguments: ["path": .string("/hosts"), "entries": hostsEntries(nodes: 1_000)], changes: true),
        Case(name: "hosts-entries: 1,000 nodes, no change", op: "hosts-entries", files: ["/hosts": hostsFile(nodes: 1_000, listed: true)],
             arguments: ["path": .string("/hosts"), "entries": hostsEntries(nodes: 1_000)], changes: false),
        Case(name: "hosts-entries: 64 nodes, no change", op: "hosts-entries", files: ["/hosts": hostsFile(nodes: 64, listed: true)],
             arguments: ["path": .string("/hosts"), "entries": hostsEntries(nodes: 64)], changes: false),
        Case(name: "edit-ini: Juno nova.conf (3,805 lines), [DEFAULT] 3 keys, first run", op: "edit-ini", files: ["/nova.conf": nova],
             arguments: ["path": .string("/nova.conf"), "section": .string("DEFAULT"), "settings": novaDefault], changes: true),
        Case(name: "edit-ini: Juno nova.conf (3,805 lines), [DEFAULT] 3 keys, no change", op: "edit-ini",
             files: ["/nova.conf": applied("edit-ini", ["/nova.conf": nova], ["path": .string("/nova.conf"), "section": .string("DEFAULT"), "settings": novaDefault])],
             arguments: ["path": .string("/nova.conf"), "section": .string("DEFAULT"), "settings": novaDefault], changes: false),
        Case(name: "edit-ini: libvirtd.conf, 3 keys, no change", op: "edit-ini",
             files: ["/libvirtd.conf": applied("edit-ini", ["/libvirtd.conf": libvirtd], ["path": .string("/libvirtd.conf"), "settings": libvirtdSettings])],
             arguments: ["path": .string("/libvirtd.conf"), "settings": libvirtdSettings], changes: false),
        Case(name: "fstab: stock RHEL 7 fstab, NFS entry, first run", op: "fstab", files: ["/fstab": fstab],
             arguments: ["path": .string("/fstab"), "source": .string("ctl:/"), "mountpoint": .string("/var/lib/nova/instances"),
                         "fstype": .string("nfs4"), "options": .string("defaults,_netdev")], changes: true),
        Case(name: "authorized-key: 1,000-key file, no change", op: "authorized-key", files: ["/keys": Array((keys + key + "\n").utf8)],
             arguments: ["path": .string("/keys"), "key": .string(key)], changes: false),
        Case(name: "ensure-line: 100,000-line file, no change", op: "ensure-line", files: ["/f.ini": ini],
             arguments: ["path": .string("/f.ini"), "line": .string("[\(midSection)]"), "match": .string("^\\[\(midSection)\\]")], changes: false),
    ]
}

/// The file after the op ran once (for the no-change cases).
func applied(_ op: String, _ files: [String: [UInt8]], _ arguments: [String: Value]) -> [UInt8] {
    let path = arguments["path"]!.asString!
    let outcome = runOnce(Case(name: op, op: op, files: files, arguments: arguments, changes: true), diff: false)
    guard case .writeFile(_, _, let after, _)? = outcome.actions.last else { return files[path]! }
    return after
}

// MARK: - Running

final class Box<T>: @unchecked Sendable { var value: T?; init() {} }

/// Runs async work to completion from synchronous code (the benchmark is single-threaded).
func blocking<T>(_ work: @escaping @Sendable () async throws -> T) -> T {
    let box = Box<Result<T, Error>>()
    let done = DispatchSemaphore(value: 0)
    Task { box.value = await Result { try await work() }; done.signal() }
    done.wait()
    switch box.value! {
    case .success(let value): return value
    case .failure(let error): fatalError("\(error)")
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// One op call: binding, plan, and (with `diff`) the check-mode diff the run would show.
func runOnce(_ benchCase: Case, diff: Bool) -> OpPlan {
    let context = MemoryContext(transport: MemoryTransport(files: benchCase.files))
    let spec = Stdlib.spec(named: benchCase.op)!
    let arguments = benchCase.arguments
    return blocking {
        let bound = try OpArguments.bind(spec, arguments)
        guard case .plan(let plan) = spec.body else { fatalError("\(spec.name) is not a changing op") }
        let decided = try await plan(bound, context)
        if diff {
            for case .writeFile(let path, let before, let after, _) in decided.actions {
                _ = UnifiedDiff.render(old: before, new: after, path: path)
            }
        }
        return decided
    }
}

/// One line of the table, written at once (a long run shows its progress).
func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments.dropFirst()
let reps = arguments.first.flatMap { Int($0) } ?? 15
let filter = arguments.dropFirst().first

emit("| case | plan: median ms | plan: best ms | plan + diff: median ms |")
emit("|---|---|---|---|")
for benchCase in cases() where filter.map({ benchCase.name.contains($0) }) ?? true {
    let warm = runOnce(benchCase, diff: true)
    precondition(warm.changes == benchCase.changes, "\(benchCase.name): changes=\(warm.changes)")
    func measure(diff: Bool) -> [Double] {
        (0..<reps).map { _ in
            let start = cpuNanoseconds()
            _ = runOnce(benchCase, diff: diff)
            return Double(cpuNanoseconds() - start) / 1e6
        }.sorted()
    }
    let plan = measure(diff: false)
    let withDiff = benchCase.changes ? measure(diff: true) : plan
    let numbers = String(format: "%.3f | %.3f | %.3f", plan[plan.count / 2], plan[0], withDiff[withDiff.count / 2])
    emit("| \(benchCase.name) | \(numbers) |")
}
