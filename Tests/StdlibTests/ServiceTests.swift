import XCTest
import Interpreter
@testable import Stdlib

/// service, daemon-reload, selinux-boolean, restorecon and exportfs. A scripted transport
/// stands in for systemd, SysV init scripts and the SELinux tools, none of which this
/// machine can run (PID 1 is not systemd; SELinux is not enabled here).
final class ServiceTests: XCTestCase {
    private func context(_ transport: ScriptedTransport, _ facts: HostFacts) -> TestHostContext {
        TestHostContext(transport: transport, cannedFacts: facts)
    }

    func testSystemdReadsBothStatesInOneExecAndActsOnlyOnTheDifference() async throws {
        let transport = ScriptedTransport([("is-active", "active=inactive\nenabled=disabled\n", 0), ("systemctl start", "", 0)])
        let outcome = try await OpRunner.run("service", ["name": .string("nfs-server"), "state": .string("running"), "enabled": .bool(true)],
                                             on: context(transport, CannedFacts.rhel7))
        XCTAssertEqual(transport.recorded, [
            #"echo active="$(systemctl is-active -- nfs-server 2>/dev/null)"; echo enabled="$(systemctl is-enabled -- nfs-server 2>/dev/null)""#,
            "systemctl start -- nfs-server && systemctl enable -- nfs-server",
        ])
        XCTAssertTrue(outcome.changed)
        XCTAssertEqual(outcome.details["was_running"], .bool(false))
    }

    func testSystemdInTheWantedStateIsANoOpWithAReason() async throws {
        let transport = ScriptedTransport([("is-active", "active=active\nenabled=enabled\n", 0)])
        let outcome = try await OpRunner.run("service", ["name": .string("rpcbind"), "state": .string("running"), "enabled": .bool(true)],
                                             on: context(transport, CannedFacts.rhel7))
        XCTAssertFalse(outcome.changed)
        XCTAssertEqual(outcome.reason, "rpcbind is running and enabled")
        XCTAssertEqual(transport.recorded.count, 1)
    }

    func testRestartedAndReloadedAlwaysAct() throws {
        let running = ServiceStatus(running: true, enabled: true)
        let restart = try Service.plan(name: "libvirtd", state: "restarted", enabled: true, status: running, initSystem: .systemd)
        XCTAssertEqual(restart.actions, [.run(command: "systemctl restart -- libvirtd", summary: "restart libvirtd")])
        let reload = try Service.plan(name: "nfs", state: "reloaded", enabled: nil, status: running, initSystem: .sysv)
        XCTAssertEqual(reload.actions, [.run(command: "service nfs reload", summary: "reload nfs")])
        let stop = try Service.plan(name: "nfs", state: "stopped", enabled: false, status: running, initSystem: .sysv)
        XCTAssertEqual(stop.actions, [.run(command: "service nfs stop && chkconfig nfs off", summary: "stop nfs, disable nfs")])
    }

    func testSysVUsesServiceStatusAndChkconfig() async throws {
        let transport = ScriptedTransport([
            ("service rpcidmapd status", "status=3\nchkconfig=rpcidmapd      0:off   1:off   2:off   3:off   4:off   5:off   6:off\n", 0),
            ("service rpcidmapd start", "", 0),
        ])
        let outcome = try await OpRunner.run("service", ["name": .string("rpcidmapd"), "state": .string("running"), "enabled": .bool(true)],
                                             on: context(transport, CannedFacts.rhel6))
        XCTAssertEqual(transport.recorded, [
            #"service rpcidmapd status >/dev/null 2>&1; echo status=$?; echo chkconfig="$(chkconfig --list rpcidmapd 2>/dev/null)""#,
            "service rpcidmapd start && chkconfig rpcidmapd on",
        ])
        XCTAssertEqual(outcome.details["init"], .string("sysv"))
        XCTAssertTrue(ServiceStatus.chkconfigEnabled("nfs  0:off 1:off 2:on 3:on 4:on 5:on 6:off"))
        XCTAssertEqual(ServiceStatus.parse("status=0\nchkconfig=nfs 0:off 3:on\n", initSystem: .sysv),
                       ServiceStatus(running: true, enabled: true))
    }

    func testStaticUnitsCannotBeEnabledAndSayWhy() throws {
        let status = ServiceStatus.parse("active=active\nenabled=static\n", initSystem: .systemd)
        XCTAssertNil(status.enabled)
        let plan = try Service.plan(name: "rpcbind", state: "running", enabled: true, status: status, initSystem: .systemd)
        XCTAssertFalse(plan.changes)
        XCTAssertEqual(plan.reason, "rpcbind is running; rpcbind cannot be enabled or disabled (a static unit)")
    }

    func testNothingRequestedAndBadNames() async throws {
        let transport = ScriptedTransport()
        let outcome = try await OpRunner.run("service", ["name": .string("nfs")], on: context(transport, CannedFacts.rhel7))
        XCTAssertFalse(outcome.changed)
        XCTAssertEqual(transport.recorded, [])
        do {
            _ = try await OpRunner.run("service", ["name": .string("--all"), "state": .string("running")], on: context(transport, CannedFacts.rhel7))
            XCTFail("an option is not a service name")
        } catch is OpError {}
    }

    func testDaemonReload() async throws {
        let sysv = try await OpRunner.run("daemon-reload", [:], on: context(ScriptedTransport(), CannedFacts.rhel6))
        XCTAssertFalse(sysv.changed)
        XCTAssertEqual(sysv.reason, "the host runs SysV init: there are no unit files to reload")
        let always = try await OpRunner.run("daemon-reload", [:], on: context(ScriptedTransport([("daemon-reload", "", 0)]), CannedFacts.rhel7))
        XCTAssertEqual(always.commands, ["systemctl daemon-reload"])
        let current = ScriptedTransport([("NeedDaemonReload", "NeedDaemonReload=no\n", 0)])
        let fresh = try await OpRunner.run("daemon-reload", ["unit": .string("openstack-nova-compute")], on: context(current, CannedFacts.rhel7))
        XCTAssertFalse(fresh.changed)
        XCTAssertEqual(current.recorded, ["systemctl show -p NeedDaemonReload -- openstack-nova-compute"])
        let stale = ScriptedTransport([("NeedDaemonReload", "NeedDaemonReload=yes\n", 0), ("daemon-reload", "", 0)])
        let changed = try await OpRunner.run("daemon-reload", ["unit": .string("openstack-nova-compute")], on: context(stale, CannedFacts.rhel7))
        XCTAssertTrue(changed.changed)
        XCTAssertEqual(stale.recorded.last, "systemctl daemon-reload")
    }

    func testSELinuxBoolean() async throws {
        let off = ScriptedTransport([("getsebool -- virt_use_nfs", "virt_use_nfs --> off\n", 0), ("setsebool", "", 0)])
        let set = try await OpRunner.run("selinux-boolean", ["name": .string("virt_use_nfs"), "value": .bool(true)],
                                         on: context(off, CannedFacts.rhel7))
        XCTAssertEqual(off.recorded, ["getsebool -- virt_use_nfs", "setsebool -P -- virt_use_nfs on"])
        XCTAssertEqual(set.details["was"], .string("off"))
        let on = ScriptedTransport([("getsebool -- virt_use_nfs", "virt_use_nfs --> on\n", 0)])
        let same = try await OpRunner.run("selinux-boolean", ["name": .string("virt_use_nfs"), "value": .bool(true)],
                                          on: context(on, CannedFacts.rhel7))
        XCTAssertFalse(same.changed)
        XCTAssertEqual(same.reason, "virt_use_nfs is already on")
        let disabled = ScriptedTransport()
        let skipped = try await OpRunner.run("selinux-boolean", ["name": .string("virt_use_nfs"), "value": .bool(true)],
                                             on: context(disabled, CannedFacts.rhel7SELinuxDisabled))
        XCTAssertEqual(skipped.reason, "SELinux is disabled")
        XCTAssertEqual(disabled.recorded, [])
        let missing = ScriptedTransport([("getsebool", "", 1)])
        do {
            _ = try await OpRunner.run("selinux-boolean", ["name": .string("no_such_bool"), "value": .bool(true)],
                                       on: context(missing, CannedFacts.rhel7))
            XCTFail("a boolean getsebool cannot read is an error")
        } catch is OpError {}
    }

    func testRestoreconAndExportfsAlwaysRunWhenCalled() async throws {
        let labels = try await OpRunner.run("restorecon", ["path": .string("/etc/my hosts")], on: context(ScriptedTransport([("restorecon", "", 0)]), CannedFacts.rhel7))
        XCTAssertEqual(labels.commands, ["restorecon -- '/etc/my hosts'"])
        let disabled = try await OpRunner.run("restorecon", ["path": .string("/etc/hosts")], on: context(ScriptedTransport(), CannedFacts.rhel7SELinuxDisabled))
        XCTAssertEqual(disabled.reason, "SELinux is disabled")
        let exports = try await OpRunner.run("exportfs", [:], on: context(ScriptedTransport([("exportfs", "", 0)]), CannedFacts.rhel6))
        XCTAssertEqual(exports.commands, ["exportfs -r"])
        let failing = ScriptedTransport([("exportfs", "", 1)])
        do {
            _ = try await OpRunner.run("exportfs", [:], on: context(failing, CannedFacts.rhel6))
            XCTFail("a failing exportfs fails the op")
        } catch is OpError {}
    }
}
