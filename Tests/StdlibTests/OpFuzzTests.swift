import Foundation
import Interpreter
import OrderedCollections
import Stdlib
import TestSupport
import XCTest

/// Hostile arguments through every op, query and built-in: generated argument sets of the
/// declared types (what the checker lets through), bound as a recipe call binds them, then
/// planned against an in-memory host whose files and command outputs are generated too.
/// Nothing may trap; an op either plans or throws an `OpError`. Two more rules hold for
/// every plan:
/// - a value with a line break never adds a line of its own to a file (a newline in
///   `export_clients` once exported `/`);
/// - a value that starts with `-` reaches a command only after `--` or as an option's
///   argument, never where the command would read it as an option.
///
/// FUZZ_ITERATIONS=N sets the argument sets per op (default 1000); FUZZ_SEED=N replays a run.
final class OpFuzzTests: XCTestCase {
    func testEveryOpSurvivesHostileArguments() async throws {
        let seed = SeededGenerator.seed(fromEnvironment: "FUZZ_SEED")
        let iterations = Int(ProcessInfo.processInfo.environment["FUZZ_ITERATIONS"] ?? "") ?? 1000
        print("op fuzz: seed \(seed) (FUZZ_SEED=\(seed) replays it), \(iterations) argument sets per op")
        var generator = ArgumentGenerator(random: SeededGenerator(seed: seed))
        var planned = 0, refused = 0
        for spec in Stdlib.all where spec.name != "log" {
            for index in 0..<iterations {
                let given = generator.arguments(for: spec)
                let label = "\(spec.name) #\(index) of seed \(seed): \(given.map { "\($0.key): \($0.value.literal)" }.sorted())"
                let host = generator.host()
                switch await Self.attempt(spec, given, on: host) {
                case .planned(let actions):
                    planned += 1
                    Self.assertNoInjectedLine(actions, spec, given, label: label)
                    Self.assertNoValueReadAsAnOption(actions, spec, given, label: label)
                case .refused:
                    refused += 1
                case .unexpected(let error):
                    XCTFail("\(label): unexpected error \(type(of: error)): \(error)")
                }
            }
        }
        print("op fuzz: \(planned) plans, \(refused) refused with an error")
        XCTAssertGreaterThan(planned, 0)
    }

    enum Attempt {
        case planned([PlannedAction])
        case refused
        case unexpected(Error)
    }

    /// Binds and runs one call as the evaluator would: rules first, then the body.
    static func attempt(_ spec: OpSpec, _ given: [String: Value], on host: FuzzHost) async -> Attempt {
        do {
            let arguments = try OpArguments.bind(spec, given)
            switch spec.body {
            case .pure(let body):
                _ = try body(arguments)
            case .query(let body):
                _ = try await body(arguments, host)
            case .report(let line):
                _ = line(arguments)
            case .check(let check):
                _ = check(arguments)
            case .plan(let body):
                try spec.requireRules(arguments)
                let decided = try await body(arguments, host)
                // Then the whole path a recipe call takes: the diff, and the apply outside check mode.
                _ = try await OpExecutor.execute(spec, arguments, on: host)
                return .planned(decided.actions)
            }
            return .planned([])
        } catch is OpError {
            return .refused
        } catch {
            return .unexpected(error)
        }
    }

    // MARK: - Rules every plan keeps

    static let marker = "INJECTED"

    /// A value holding `\nINJECTED` must not give a written file a line starting with it.
    static func assertNoInjectedLine(_ actions: [PlannedAction], _ spec: OpSpec, _ given: [String: Value], label: String) {
        // `file` and `systemd-dropin` write a whole file's content: its lines are the author's.
        let wholeContent: Set = ["content"]
        let injected = given.contains { name, value in
            !wholeContent.contains(name) && value.firstString(where: { $0.contains(marker) && $0.containsLineBreak }) != nil
        }
        guard injected else { return }
        for case .writeFile(let path, _, let after, _) in actions {
            let lines = String(decoding: after, as: UTF8.self).split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            if lines.contains(where: { $0.hasPrefix(marker) }) {
                XCTFail("\(label): a line break in a value added the line `\(marker)...` to \(path)")
            }
        }
    }

    /// A value starting with `-` must follow `--` or an option that takes it (`-o VALUE`).
    static func assertNoValueReadAsAnOption(_ actions: [PlannedAction], _ spec: OpSpec, _ given: [String: Value], label: String) {
        // `run`'s command and `unless` are the author's own shell text.
        guard spec.name != "run" else { return }
        for case .run(let command, _, _) in actions {
            for simple in command.components(separatedBy: CharacterSet(charactersIn: ";&|")) {
                let words = simple.split(separator: " ").map(String.init)
                for (position, word) in words.enumerated() where word == ArgumentGenerator.optionLike {
                    let previous = position > 0 ? words[position - 1] : ""
                    let afterDashes = words[..<position].contains("--")
                    let optionArgument = previous.hasPrefix("-") && previous != "--"
                    if !afterDashes && !optionArgument {
                        XCTFail("\(label): `\(word)` reaches `\(simple.trimmingCharacters(in: .whitespaces))` where it reads as an option")
                    }
                }
            }
        }
    }
}

// MARK: - Generated arguments and hosts

/// Values of a declared type, drawn mostly from the shapes that broke things before.
struct ArgumentGenerator {
    var random: SeededGenerator

    static let optionLike = "-Xcrucible"
    static let texts: [String] = [
        "", " ", "a", "x y", "libvirt", "a]b", "[a]", "a\nb", "x\r", "\r\n", "\n", "a\n" + OpFuzzTests.marker + " *",
        "/etc/x\n" + OpFuzzTests.marker, "#", ";", "=", "k=v", "/", "/etc/fuzz.conf", "/etc/hosts", "relative/path", "~",
        "0644", "644", "2755", "u+x", "999", "0o644", "07777", "root", "root:root", "nova:", ":", "a:b:c", optionLike, "--",
        "-", "'", "\"", "$(id)", "`id`", "${x}", "\\", "\u{0}", "\u{7F}", "é", "\u{FEFF}", "tcp", "udp", "both", "1-2",
        "65535", "0-70000", "2049/udp", "10.0.0.0/24", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 a@b", "ctl:/", "nfs4",
        "defaults,_netdev", "present", "absent", "running", "restarted", String(repeating: "x", count: 5000),
    ]
    static let ints: [Int] = [0, 1, -1, 22, 65535, 65536, Int.max, Int.min, 49152]

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &random)] }
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &random) < percent }

    mutating func arguments(for spec: OpSpec) -> [String: Value] {
        var given: [String: Value] = [:]
        for param in spec.params where param.isRequired || chance(50) {
            given[param.name] = value(for: param)
        }
        return given
    }

    mutating func value(for param: ParamSpec) -> Value {
        if let choices = param.choices, chance(80) { return .string(pick(choices)) }
        for _ in 0..<20 {
            let candidate = chance(60) ? plausibleOrHostile(param) : value(of: param.type, depth: 0)
            if param.type.accepts(candidate.type) { return candidate }
        }
        return param.defaultValue ?? .string("a")
    }

    /// A value that gets past the op's first checks (an absolute path where one is wanted),
    /// or one of the few shapes each rule is about.
    mutating func plausibleOrHostile(_ param: ParamSpec) -> Value {
        if chance(50) { return .string(pick(Self.hostile)) }
        switch param.name {
        case "path", "mountpoint", "directory": return .string(pick(["/etc/fuzz.conf", "/etc/hosts", "/srv/a b"]))
        case "mode": return .string(pick(["0644", "644", "2755", "u+x", "999", "0o644"]))
        case "settings": return .record([pick(Self.hostile): .string(pick(Self.hostile)), "k": .string(pick(Self.hostile))])
        case "entries": return .list([.record(["address": .string("10.0.0.1"), "names": .list([.string(pick(Self.hostile))])])])
        default: return .string(pick(Self.texts))
        }
    }

    static let hostile = ["a\n" + OpFuzzTests.marker + " *", optionLike, "a]b", "x\r", "ok"]

    mutating func value(of type: ValueType, depth: Int) -> Value {
        switch type {
        case .any: return value(of: pick([.string, .int, .bool, .none, .list(.string), .record]), depth: depth)
        case .none: return .none
        case .bool: return .bool(chance(50))
        case .int: return .int(pick(Self.ints))
        case .string: return .string(pick(Self.texts))
        case .host: return .host(HostTarget(address: "10.0.0.\(Int.random(in: 1...9, using: &random))"))
        case .oneOf(let options): return value(of: pick(options), depth: depth)
        case .list(let element):
            guard depth < 2 else { return .list([]) }
            return .list((0..<Int.random(in: 0...4, using: &random)).map { _ in value(of: element, depth: depth + 1) })
        case .record, .shaped:
            guard depth < 2 else { return .record([:]) }
            var fields = OrderedDictionary<String, Value>()
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let key = chance(50) ? pick(["address", "names", "k", "listen_tcp", "Domain"]) : pick(Self.texts)
                fields[key] = chance(30) ? value(of: .list(.string), depth: depth + 1) : value(of: pick([.string, .int, .bool, .none]), depth: depth + 1)
            }
            return .record(fields)
        }
    }

    static let fileContents: [[UInt8]?] = [
        nil, [], Array("[a]\nx = 1\n".utf8), Array("[libvirt]\r\n#live_migration_uri = x\r\n".utf8),
        Array("127.0.0.1 localhost\n::1 localhost6\n".utf8), Array("UUID=1 / xfs defaults 0 0\n".utf8),
        Array("ssh-rsa AAAA a@b\n".utf8), [0xFF, 0xFE, 0x0A, 0xC3], Array("no newline at end".utf8),
        Array(String(repeating: "k=v\n", count: 200).utf8),
    ]

    static let outputs: [String] = [
        "", "garbage\n", "virt_use_nfs --> off\n", "active=active\nenabled=enabled\n", "status=0\n",
        "NeedDaemonReload=yes\n", "dir=yes\n#mounts\nctl:/ on /var/lib/nova/instances type nfs4 (rw)\n",
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n",
        "nova:x:162:162::/var/lib/nova:/sbin/nologin\n", "162\n162\n", "exists=yes\nmode=644\nowner=root:root\n",
    ]

    mutating func host() -> FuzzHost {
        var files: [String: [UInt8]] = [:]
        for path in Self.texts where path.hasPrefix("/") {
            if let content = pick(Self.fileContents) { files[path] = content }
        }
        let outputs = (0..<8).map { _ in CommandResult(stdout: Array(pick(Self.outputs).utf8), stderr: [], status: chance(70) ? 0 : 1) }
        let facts = pick([CannedFacts.rhel6, CannedFacts.rhel7, CannedFacts.fedora21, CannedFacts.rhel7SELinuxDisabled, CannedFacts.noFirewall])
        return FuzzHost(memory: MemoryTransport(files: files, outputs: outputs), cannedFacts: facts, checkMode: chance(50))
    }
}

/// A host context over a `MemoryTransport`, with canned facts.
struct FuzzHost: HostContext {
    let memory: MemoryTransport
    let cannedFacts: HostFacts
    let checkMode: Bool
    var backupsByDefault: Bool { true }
    var target: HostTarget { memory.target }
    var transport: any Transport { memory }
    func facts() async throws -> HostFacts { cannedFacts }
    func facts(of other: HostTarget) async throws -> HostFacts { cannedFacts }
}

/// Files in a dictionary; every command gets the next of a few generated outputs.
final class MemoryTransport: Transport, @unchecked Sendable {
    let target = HostTarget(address: "memory")
    private let lock = NSLock()
    private var files: [String: [UInt8]]
    private let outputs: [CommandResult]
    private var next = 0

    init(files: [String: [UInt8]], outputs: [CommandResult]) {
        self.files = files
        self.outputs = outputs
    }

    func connect() async throws {}
    func run(_ command: String, stdin: [UInt8]?, timeout: Double?) async throws -> CommandResult {
        lock.withLock {
            next += 1
            return outputs[next % outputs.count]
        }
    }
    func readFile(_ path: String) async throws -> [UInt8]? { lock.withLock { files[path] } }
    func writeFile(_ path: String, contents: [UInt8], options: WriteOptions) async throws {
        lock.withLock { files[path] = contents }
    }
    func stats() -> TransportStats { TransportStats() }
    func close() async {}
}
