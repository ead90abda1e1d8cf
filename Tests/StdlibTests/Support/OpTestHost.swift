import Foundation
import XCTest
import Interpreter
import Stdlib

/// A host for op tests: this machine through `LocalTransport`, with every file the test
/// touches under a fresh temporary directory, and canned facts (a RHEL 7 host) so no test
/// depends on what this machine is.
struct OpTestHost: HostContext {
    let target = HostTarget.local
    let transport: any Transport
    let checkMode: Bool
    let backupsByDefault: Bool

    init(transport: any Transport = LocalTransport(), checkMode: Bool = false, backupsByDefault: Bool = true) {
        self.transport = transport
        self.checkMode = checkMode
        self.backupsByDefault = backupsByDefault
    }

    static let cannedFacts = HostFacts.parse("""
        os_id=rhel
        os_version=7.0
        os_pretty=Red Hat Enterprise Linux Server 7.0 (Maipo)
        init=systemd
        iptables=yes
        selinux=Enforcing
        hostname=c1
        fqdn=c1.example.com
        """)

    func facts() async throws -> HostFacts { Self.cannedFacts }
    func facts(of other: HostTarget) async throws -> HostFacts { Self.cannedFacts }

    func checking() -> OpTestHost { OpTestHost(transport: transport, checkMode: true, backupsByDefault: backupsByDefault) }

    /// Runs one op by name with named arguments (defaults filled in as a recipe call would).
    func run(_ op: String, _ arguments: [String: Value]) async throws -> OpRecord {
        guard let spec = Stdlib.spec(named: op) else { throw OpError("no op named \(op)") }
        return try await OpExecutor.execute(spec, try OpArguments.bind(spec, arguments), on: self)
    }
}

/// A scratch directory removed at the end of the test.
final class Scratch {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("crucible-stdlib-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Copies a stock fixture (`rhel7/etc/hosts`) to `relative` under the scratch root; returns its path.
    @discardableResult
    func copyFixture(_ fixture: String, to relative: String) throws -> String {
        try write(Fixtures.bytes(fixture), to: relative)
    }

    @discardableResult
    func write(_ bytes: [UInt8], to relative: String) throws -> String {
        let target = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: target)
        return target.path
    }

    @discardableResult
    func write(_ text: String, to relative: String) throws -> String { try write(Array(text.utf8), to: relative) }
}

/// Reading and checking files on disk.
enum Disk {
    static func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { Array($0) }
    }

    static func text(_ path: String) -> String? { bytes(path).map { String(decoding: $0, as: UTF8.self) } }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    static func owner(_ path: String) throws -> (uid: Int, gid: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.ownerAccountID] as? NSNumber)?.intValue ?? -1, (attributes[.groupOwnerAccountID] as? NSNumber)?.intValue ?? -1)
    }

    static func setMode(_ path: String, _ mode: Int) throws {
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    static func setOwner(_ path: String, uid: Int, gid: Int) throws {
        try FileManager.default.setAttributes([.ownerAccountID: uid, .groupOwnerAccountID: gid], ofItemAtPath: path)
    }
}
