import Foundation
import TestSupport

/// The sandbox hosts' state before any run, kept so that the fault campaign can put every
/// host back between faults (faster than a new sandbox): the managed files, the live
/// iptables rules and the recording stubs' state directory.
struct PristineHosts {
    let sandbox: Sandbox
    private let saved: String
    private let files: [String: [String: [UInt8]?]]

    init(_ sandbox: Sandbox) throws {
        self.sandbox = sandbox
        saved = sandbox.directory + "/pristine"
        var files: [String: [String: [UInt8]?]] = [:]
        for host in sandbox.hosts {
            files[host.name] = try HostSnapshot.take(host).files
            let dir = "\(saved)/\(host.name)"
            try HostShell.run("rm -rf \(dir) && mkdir -p \(dir) && cp -a \(host.state) \(dir)/state"
                + " && ip netns exec \(host.netns) iptables-save > \(dir)/iptables")
        }
        self.files = files
    }

    func restore() throws {
        for host in sandbox.hosts {
            for (path, bytes) in files[host.name] ?? [:] {
                if let bytes {
                    try Data(bytes).write(to: URL(fileURLWithPath: host.etcPath(path)))
                } else if FileManager.default.fileExists(atPath: host.etcPath(path)) {
                    try FileManager.default.removeItem(atPath: host.etcPath(path))
                }
            }
            for leftover in Self.tempFiles(host) + Self.backups(host) { try? FileManager.default.removeItem(atPath: leftover) }
            // An NFS mount in the sandbox is a real bind in the host's mount namespace (its
            // record is in the state folder restored below): it goes too.
            _ = try sandbox.exec(host.name, "while /usr/bin/umount /var/lib/nova/instances 2>/dev/null; do :; done")
            let dir = "\(saved)/\(host.name)"
            try HostShell.run("rm -rf \(host.state)/* && cp -a \(dir)/state/. \(host.state)/"
                + " && ip netns exec \(host.netns) iptables-restore < \(dir)/iptables")
        }
    }

    /// Directories (under the host's /etc) that hold managed files.
    static func managedDirectories(_ host: SandboxHost) -> [String] {
        Array(Set(LiveMigrationTests.managedFiles.map { (host.etcPath($0) as NSString).deletingLastPathComponent })).sorted()
    }

    /// `.crucible-tmp.*` files beside the managed files.
    static func tempFiles(_ host: SandboxHost) -> [String] {
        files(host) { $0.hasPrefix(".crucible-tmp.") }
    }

    /// `FILE.crucible~` backups beside the managed files.
    static func backups(_ host: SandboxHost) -> [String] {
        files(host) { $0.hasSuffix(".crucible~") }
    }

    private static func files(_ host: SandboxHost, matching: (String) -> Bool) -> [String] {
        managedDirectories(host).flatMap { dir in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter(matching).map { dir + "/" + $0 }
        }
    }
}
