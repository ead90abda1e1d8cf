import Foundation
import TestSupport
import XCTest

/// Sandbox hosts fail where real hosts of their release fail: the stubs know exactly the units and
/// init scripts of the host's fixture tree, resolve aliases, follow the units' dependencies, and the
/// NFS daemons take their ports from the host's files as that release's packaging reads them. Every
/// expectation here comes from the packaging (Tests/Fixtures/SOURCES.md, section 8); none is a
/// constant of the stubs.
final class SandboxFidelityTests: XCTestCase {
    var sandbox: Sandbox?

    override func tearDownWithError() throws {
        try sandbox?.stop()
        sandbox = nil
    }

    // MARK: - Helpers

    @discardableResult
    func start(_ hosts: [(String, String)]) throws -> Sandbox {
        let started = try Sandbox.start(name: "fid-\(name.filter { $0.isLetter }.suffix(22))",
                                        hosts: hosts.map { (name: $0.0, distro: $0.1) })
        sandbox = started
        return started
    }

    struct Outcome: Equatable {
        let status: Int32
        let output: String
        init(_ status: Int32, _ output: String) { self.status = status; self.output = output }
    }

    /// Runs `command` inside the host (stdout and stderr together).
    func run(_ host: String, _ command: String) throws -> Outcome {
        let result = try XCTUnwrap(sandbox).exec(host, command)
        return Outcome(result.status, result.output)
    }

    func active(_ host: String, _ unit: String) throws -> Bool {
        try run(host, "systemctl is-active \(unit)").status == 0
    }

    /// The port `rpcinfo -p [server]` shows for PROGRAM/tcp, or nil when it is not registered.
    func rpcPort(on host: String, of program: String, server: String = "") throws -> Int? {
        let result = try run(host, "rpcinfo -p \(server)")
        guard result.status == 0 else { return nil }
        for line in result.output.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 5, fields[2] == "tcp", fields[4] == program { return Int(fields[3]) }
        }
        return nil
    }

    func append(_ host: String, _ path: String, _ text: String) throws {
        let file = try XCTUnwrap(sandbox).host(named: host).etcPath(path)
        let old = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        try (old + text).write(toFile: file, atomically: true, encoding: .utf8)
    }

    // MARK: - Units

    func testAUnitTheReleaseDoesNotShipFailsWithItsSystemdsMessage() throws {
        try start([("f20", "fedora20"), ("r74", "rhel7.4")])
        // Fedora 20 (and RHEL 7.0) ship nfs-idmap; systemd 208 words the failure its own way.
        XCTAssertEqual(try run("f20", "systemctl restart nfs-idmapd").status, 1)
        XCTAssertEqual(try run("f20", "systemctl restart nfs-idmapd").output,
                       "Failed to issue method call: Unit nfs-idmapd.service failed to load: No such file or directory.\n")
        // RHEL 7.4 ships nfs-idmapd with nfs-idmap as an alias; systemd 219 fails unknown names with 6.
        XCTAssertEqual(try run("r74", "systemctl restart nfs-idmapd").status, 0)
        XCTAssertEqual(try run("r74", "systemctl restart nfs-idmapx"),
                       Outcome(6, "Failed to restart nfs-idmapx.service: Unit nfs-idmapx.service failed to load: No such file or directory.\n"))
        XCTAssertEqual(try run("r74", "systemctl is-active nfs-idmapx").output, "unknown\n")
    }

    func testAliasesResolveToTheUnitTheSpecFileLinks() throws {
        try start([("r7", "rhel7"), ("r74", "rhel7.4"), ("f21", "fedora21")])
        XCTAssertEqual(try run("r7", "systemctl start nfs").status, 0)
        XCTAssertTrue(try active("r7", "nfs-server"), "nfs.service -> nfs-server.service")
        XCTAssertEqual(try run("r74", "systemctl restart nfslock").status, 0)
        XCTAssertTrue(try active("r74", "rpc-statd"), "nfslock.service -> rpc-statd.service on 7.x")
        XCTAssertEqual(try run("f21", "systemctl restart nfslock").status, 1, "Fedora 21 has no nfslock alias")
        XCTAssertEqual(try run("f21", "systemctl restart nfs-lock").status, 0)
        XCTAssertTrue(try active("f21", "rpc-statd"))
    }

    func testBindToStartsTheNFSServerAndStoppingItStopsWhatIsBound() throws {
        try start([("f20", "fedora20"), ("r74", "rhel7.4"), ("f21", "fedora21")])
        for (host, idmap) in [("f20", "nfs-idmap"), ("r74", "nfs-idmapd")] {
            XCTAssertFalse(try active(host, "nfs-server"), "\(host): a fresh host runs no NFS server")
            XCTAssertEqual(try run(host, "systemctl restart \(idmap)").status, 0)
            XCTAssertTrue(try active(host, "nfs-server"), "\(host): \(idmap) binds to nfs-server")
            XCTAssertTrue(try active(host, "nfs-mountd"), "\(host): nfs-server requires nfs-mountd")
            XCTAssertEqual(try run(host, "systemctl stop nfs-server").status, 0)
            XCTAssertFalse(try active(host, idmap), "\(host): stopping nfs-server stops what is bound to it")
            XCTAssertFalse(try active(host, "nfs-mountd"))
        }
        // nfs-utils 1.3.1's nfs-idmapd has no BindsTo= (added in 1.3.2).
        XCTAssertEqual(try run("f21", "systemctl restart nfs-idmapd").status, 0)
        XCTAssertFalse(try active("f21", "nfs-server"))
    }

    func testChangedDropInNeedsDaemonReload() throws {
        try start([("r74", "rhel7.4")])
        let folder = try XCTUnwrap(sandbox).host(named: "r74").etcPath("systemd/system/openstack-nova-compute.service.d")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "[Unit]\nRequiresMountsFor=/var/lib/nova/instances\n".write(toFile: folder + "/crucible.conf", atomically: true, encoding: .utf8)
        XCTAssertEqual(try run("r74", "systemctl show -p NeedDaemonReload openstack-nova-compute").output, "NeedDaemonReload=yes\n")
        XCTAssertEqual(try run("r74", "systemctl restart openstack-nova-compute").output,
                       "Warning: openstack-nova-compute.service changed on disk. Run 'systemctl daemon-reload' to reload units.\n")
        XCTAssertEqual(try run("r74", "systemctl daemon-reload && systemctl show -p NeedDaemonReload openstack-nova-compute").output,
                       "NeedDaemonReload=no\n")
    }

    func testIsEnabledReadsTheInstallSectionAndTheLinks() throws {
        try start([("r74", "rhel7.4")])
        XCTAssertEqual(try run("r74", "systemctl is-enabled nfs-config"), Outcome(0, "static\n"))
        XCTAssertEqual(try run("r74", "systemctl is-enabled nfs-server"), Outcome(1, "disabled\n"))
        XCTAssertEqual(try run("r74", "systemctl is-enabled nfs-client.target"), Outcome(0, "enabled\n"), "nfs-utils' %post enables it")
        XCTAssertEqual(try run("r74", "systemctl enable nfs-server 2>/dev/null && systemctl is-enabled nfs-server"), Outcome(0, "enabled\n"))
        XCTAssertEqual(try run("r74", "systemctl is-enabled nosuch"),
                       Outcome(1, "Failed to get unit file state for nosuch.service: No such file or directory\n"))
    }

    func testUnitFilesAreReadAtRunTime() throws {
        try start([("r7", "rhel7")])
        XCTAssertEqual(try run("r7", "systemctl start crucible-probe").status, 1)
        try "[Service]\nExecStart=/bin/true\n".write(toFile: try XCTUnwrap(sandbox).host(named: "r7").etcPath("systemd/system/crucible-probe.service"),
                                                   atomically: true, encoding: .utf8)
        XCTAssertEqual(try run("r7", "systemctl start crucible-probe").status, 0)
        XCTAssertTrue(try active("r7", "crucible-probe"))
    }

    func testRHEL6KnowsOnlyItsInitScripts() throws {
        try start([("r6", "rhel6")])
        XCTAssertEqual(try run("r6", "service foo start"), Outcome(1, "foo: unrecognized service\n"))
        XCTAssertEqual(try run("r6", "chkconfig foo on"), Outcome(1, "error reading information on service foo: No such file or directory\n"))
        XCTAssertEqual(try run("r6", "service nfs-server start").status, 1, "RHEL 6's NFS server is `nfs`")
        XCTAssertEqual(try run("r6", "chkconfig nfs").status, 1, "nfs.init's header has no default runlevels")
        XCTAssertEqual(try run("r6", "chkconfig nfslock").status, 0, "nfslock.init: chkconfig 345")
        XCTAssertEqual(try run("r6", "chkconfig nfs on && chkconfig nfs && ls /etc/rc.d/rc3.d | grep nfs$").output, "S30nfs\n")
        XCTAssertEqual(try run("r6", "test -L /etc/init.d && readlink /etc/init.d").output, "rc.d/init.d\n")
    }

    // MARK: - NFS ports

    func testRHEL70IgnoresMOUNTD_PORTButReadsRPCMOUNTDOPTS() throws {
        try start([("r7", "rhel7")])
        try append("r7", "sysconfig/nfs", "MOUNTD_PORT=892\n")
        XCTAssertEqual(try run("r7", "systemctl restart nfs-server").status, 0)
        XCTAssertEqual(try rpcPort(on: "r7", of: "mountd"), 20048, "the unit runs rpc.mountd $RPCMOUNTDOPTS only")
        try append("r7", "sysconfig/nfs", "RPCMOUNTDOPTS=\"-p 892\"\n")
        XCTAssertEqual(try run("r7", "systemctl restart nfs-server").status, 0)
        XCTAssertEqual(try rpcPort(on: "r7", of: "mountd"), 892)
    }

    func testRHEL74ReadsThePortsThroughNfsConfigAfterTheRightRestart() throws {
        try start([("r74", "rhel7.4")])
        XCTAssertEqual(try run("r74", "systemctl start nfs-server").status, 0)
        let statd = try XCTUnwrap(try rpcPort(on: "r74", of: "status"))
        try append("r74", "sysconfig/nfs", "MOUNTD_PORT=892\nSTATD_PORT=662\n")
        XCTAssertEqual(try run("r74", "systemctl restart nfs-server").status, 0)
        XCTAssertEqual(try rpcPort(on: "r74", of: "mountd"), 892, "nfs-config runs again, nfs-mountd is bound to nfs-server")
        XCTAssertEqual(try rpcPort(on: "r74", of: "status"), statd, "restarting nfs-server does not restart rpc-statd")
        XCTAssertEqual(try run("r74", "systemctl restart rpc-statd").status, 0)
        XCTAssertEqual(try rpcPort(on: "r74", of: "status"), 662)
    }

    func testRHEL6AppliesSTATD_PORTOnlyThroughNfslock() throws {
        try start([("r6", "rhel6")])
        try append("r6", "sysconfig/nfs", "MOUNTD_PORT=892\nSTATD_PORT=662\n")
        XCTAssertEqual(try run("r6", "service nfs restart").status, 0)
        XCTAssertEqual(try rpcPort(on: "r6", of: "mountd"), 892)
        XCTAssertNotEqual(try rpcPort(on: "r6", of: "status"), 662, "statd started at boot, before the change")
        XCTAssertEqual(try run("r6", "service nfslock restart").status, 0)
        XCTAssertEqual(try rpcPort(on: "r6", of: "status"), 662)
    }

    func testRpcinfoOfAnotherHostNeedsPort111ThroughItsFirewall() throws {
        try start([("srv", "rhel7"), ("cli", "rhel7")])
        XCTAssertEqual(try run("srv", "systemctl start nfs-server").status, 0)
        XCTAssertEqual(try run("cli", "rpcinfo -p srv"), Outcome(1, "rpcinfo: can't contact portmapper: RPC: Unknown host\n"),
                       "cli's /etc/hosts does not name srv yet")
        let address = try XCTUnwrap(sandbox).host(named: "srv").address
        try append("cli", "hosts", "\(address) srv\n")
        XCTAssertEqual(try run("cli", "rpcinfo -p srv"),
                       Outcome(1, "rpcinfo: can't contact portmapper: RPC: Remote system error - No route to host\n"),
                       "the stock ruleset REJECTs 111")
        XCTAssertEqual(try run("srv", "iptables -I INPUT 5 -p tcp --dport 111 -j ACCEPT").status, 0)
        XCTAssertEqual(try rpcPort(on: "cli", of: "mountd", server: "srv"), 20048, "srv's own state answers")
        XCTAssertEqual(try rpcPort(on: "cli", of: "nfs", server: "srv"), 2049)
    }

    // MARK: - NFS mounts, locks and libvirt between hosts

    /// srv exports /var/lib/nova/instances to cli (names in each other's /etc/hosts) and runs nfs-server.
    func startServerAndClient(server: String = "rhel7", client: String = "rhel7") throws {
        let sandbox = try start([("srv", server), ("cli", client)])
        let srv = try sandbox.host(named: "srv"), cli = try sandbox.host(named: "cli")
        try append("cli", "hosts", "\(srv.address) srv\n")
        try append("srv", "hosts", "\(cli.address) cli\n\(srv.address) srv\n")
        try "/var/lib/nova/instances cli(rw,sync,no_root_squash)\n".write(toFile: srv.etcPath("exports"), atomically: true, encoding: .utf8)
        let nfs = server == "rhel6" ? "service rpcbind start && service nfs start" : "systemctl start nfs-server"
        XCTAssertEqual(try run("srv", "install -d -o nova -g nova /var/lib/nova/instances && \(nfs)").status, 0)
        XCTAssertEqual(try run("cli", "install -d -o nova -g nova /var/lib/nova/instances").status, 0)
    }

    func openPort(_ host: String, _ port: Int) throws {
        XCTAssertEqual(try run(host, "iptables -I INPUT 5 -p tcp --dport \(port) -j ACCEPT").status, 0)
    }

    let v3 = "mount -t nfs -o vers=3 srv:/var/lib/nova/instances /var/lib/nova/instances"
    let v4 = "mount -t nfs4 srv:/var/lib/nova/instances /var/lib/nova/instances"

    func testNFSv3MountNeedsRpcbindMountdAndNFSThroughTheServersFirewall() throws {
        try startServerAndClient()
        XCTAssertEqual(try run("cli", v3), Outcome(32, "mount.nfs: Connection timed out\n"), "the stock ruleset REJECTs all three")
        try openPort("srv", 2049)
        try openPort("srv", 111)
        XCTAssertEqual(try run("cli", v3).status, 32, "mountd's 20048 is still closed")
        try openPort("srv", 20048)
        XCTAssertEqual(try run("cli", v3).status, 0)
        XCTAssertEqual(try run("cli", "findmnt -n -o SOURCE,FSTYPE /var/lib/nova/instances").output, "srv:/var/lib/nova/instances nfs\n")
        XCTAssertEqual(try run("cli", "umount /var/lib/nova/instances && findmnt -rn /var/lib/nova/instances").status, 1)
    }

    func testNFSv4MountNeedsOnly2049() throws {
        try startServerAndClient()
        XCTAssertEqual(try run("cli", v4).status, 32)
        try openPort("srv", 2049)
        XCTAssertEqual(try run("cli", v4).status, 0)
        XCTAssertEqual(try run("cli", "mountpoint -q /var/lib/nova/instances").status, 0)
    }

    func testMountNeedsTheExportAsExportfsLastAppliedIt() throws {
        try startServerAndClient()
        try openPort("srv", 2049)
        let srv = try XCTUnwrap(sandbox).host(named: "srv")
        try "/var/lib/nova/instances srv(rw)\n".write(toFile: srv.etcPath("exports"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try run("cli", v4).status, 0, "/etc/exports changed, but exportfs -r did not run")
        XCTAssertEqual(try run("cli", "umount /var/lib/nova/instances").status, 0)
        XCTAssertEqual(try run("srv", "exportfs -r").status, 0)
        XCTAssertEqual(try run("cli", v4),
                       Outcome(32, "mount.nfs: access denied by server while mounting srv:/var/lib/nova/instances\n"))
        XCTAssertEqual(try run("srv", "systemctl stop nfs-server").status, 0)
        XCTAssertEqual(try run("cli", v4).status, 32, "no NFS server running")
    }

    func testAFileWrittenThroughTheMountShowsOnTheServerWithItsOwner() throws {
        try startServerAndClient()
        try openPort("srv", 2049)
        XCTAssertEqual(try run("cli", v4).status, 0)
        XCTAssertEqual(try run("cli", "su -s /bin/sh nova -c 'echo hi > /var/lib/nova/instances/made-on-cli'").status, 0)
        XCTAssertEqual(try run("srv", "stat -c '%u:%g %s' /var/lib/nova/instances/made-on-cli").output, "162:162 3\n")
        XCTAssertEqual(try run("srv", "echo back > /var/lib/nova/instances/made-on-srv").status, 0)
        XCTAssertEqual(try run("cli", "cat /var/lib/nova/instances/made-on-srv").output, "back\n")
    }

    func testFirewalldHostsLetThroughOnlyWhatTheirRuntimeConfigurationAllows() throws {
        try startServerAndClient(server: "fedora21", client: "rhel7")
        XCTAssertEqual(try run("cli", v4), Outcome(32, "mount.nfs: Connection timed out\n"), "the public zone allows ssh and dhcpv6-client")
        XCTAssertEqual(try run("srv", "firewall-cmd --permanent --add-service=nfs").status, 0)
        XCTAssertEqual(try run("cli", v4).status, 32, "permanent only: not before --reload")
        XCTAssertEqual(try run("srv", "firewall-cmd --add-service=nfsd"), Outcome(101, "Error: INVALID_SERVICE: nfsd\n"))
        XCTAssertEqual(try run("srv", "firewall-cmd --reload").status, 0)
        XCTAssertEqual(try run("cli", v4).status, 0, "nfs.xml opens 2049/tcp")
    }

    func testTheServerCannotMountItsOwnExportOverTheExportedDirectory() throws {
        try startServerAndClient()
        try openPort("srv", 2049)
        let result = try run("srv", v4)
        XCTAssertEqual(result.status, 32)
        XCTAssertTrue(result.output.contains("loopback NFS"), result.output)
        XCTAssertEqual(try run("srv", "mountpoint -q /var/lib/nova/instances").status, 1)
    }

    func testNFSv3LocksNeedLockdAndStatdReachable() throws {
        try startServerAndClient()
        for port in [111, 2049, 20048] { try openPort("srv", port) }
        XCTAssertEqual(try run("cli", v3 + " && touch /var/lib/nova/instances/lock").status, 0)
        XCTAssertEqual(try run("cli", "flock /var/lib/nova/instances/lock true"),
                       Outcome(1, "flock: /var/lib/nova/instances/lock: No locks available\n"))
        // Pin lockd and statd the RHEL 7.0 way, restart what reads them, open the ports.
        try append("srv", "sysconfig/nfs", "LOCKD_TCPPORT=32803\nLOCKD_UDPPORT=32769\nSTATDARG=\"-p 662\"\n")
        XCTAssertEqual(try run("srv", "systemctl restart nfs-lock").status, 0)
        XCTAssertEqual(try rpcPort(on: "srv", of: "status"), 662)
        XCTAssertNotEqual(try rpcPort(on: "srv", of: "nlockmgr"), 32803, "lockd keeps its ports until it restarts")
        XCTAssertEqual(try run("srv", "systemctl stop nfs-server && systemctl start nfs-server").status, 0)
        XCTAssertEqual(try rpcPort(on: "srv", of: "nlockmgr"), 32803)
        try openPort("srv", 662)
        try openPort("srv", 32803)
        XCTAssertEqual(try run("cli", "flock /var/lib/nova/instances/lock true").status, 0)
    }

    func testVirshAnswersOnlyWhenLibvirtdListensAndThePortIsOpen() throws {
        try startServerAndClient(server: "rhel6", client: "rhel7")
        let connect = "virsh -c qemu+tcp://srv/system list"
        XCTAssertEqual(try run("cli", connect).output,
                       "error: failed to connect to the hypervisor\nerror: unable to connect to server at 'srv:16509': No route to host\n")
        try openPort("srv", 16509)
        XCTAssertEqual(try run("cli", connect).output,
                       "error: failed to connect to the hypervisor\nerror: unable to connect to server at 'srv:16509': Connection refused\n",
                       "stock libvirtd.conf: listen_tcp is 0, no --listen")
        try append("srv", "libvirt/libvirtd.conf", "listen_tcp = 1\n")
        try append("srv", "sysconfig/libvirtd", "LIBVIRTD_ARGS=\"--listen\"\n")
        XCTAssertEqual(try run("cli", connect).status, 1, "libvirtd has not been restarted")
        XCTAssertEqual(try run("srv", "service libvirtd restart").status, 0)
        XCTAssertTrue(try run("cli", connect).output.contains("authentication failed"), "auth_tcp defaults to sasl")
        try append("srv", "libvirt/libvirtd.conf", "auth_tcp = \"none\"\n")
        XCTAssertEqual(try run("srv", "service libvirtd restart").status, 0)
        XCTAssertEqual(try run("cli", connect).status, 0)
    }

    // MARK: - Accounts

    func testHostsWithoutNovaOrWithAnotherUid() throws {
        try start([("std", "rhel7"), ("bare", "rhel7:nonova"), ("odd", "rhel6:nova=163")])
        XCTAssertEqual(try run("std", "id -u nova; id -g nova; id -u qemu").output, "162\n162\n107\n")
        XCTAssertNotEqual(try run("bare", "id nova").status, 0)
        XCTAssertEqual(try run("bare", "id -u qemu").output, "107\n")
        XCTAssertEqual(try run("odd", "id -u nova; id -g nova").output, "163\n163\n")
    }
}
