import Foundation
import XCTest
import Interpreter
import Stdlib

/// Issue 19: the ops stay byte-exact on files shaped like the ones users really have (an
/// operator's inline comments, tab-indented smb.conf, keys with blanks, swap entries, a
/// `"""` block, symlinked config files). Each edit is checked by `EditCycle` (check mode,
/// golden bytes, backup, a second run that changes nothing) or stated as exact text.
final class RealFileGoldenTests: XCTestCase {
    // MARK: - Inline comments

    static let libvirtdConf = """
        # Master libvirt daemon configuration file
        #

        #################################################################
        #
        # Network connectivity controls
        #

        # Flag listening for secure TLS connections on the public TCP/IP port.
        # NB, must pass the --listen flag to the libvirtd process for this to
        # have any effect.
        #
        # It is necessary to setup a CA and issue server certificates before
        # using this capability.
        #
        # This is enabled by default, uncomment this to disable it
        #listen_tls = 0
        listen_tls = 0  # TLS off: migration goes over TCP

        # Listen for unencrypted TCP connections on the public TCP/IP port.
        # NB, must pass the --listen flag to the libvirtd process for this to
        # have any effect.
        #
        # Using the TCP socket requires SASL authentication by default. Only
        # SASL mechanisms which support data encryption are allowed. This is
        # DIGEST_MD5 and GSSAPI (Kerberos5)
        #
        # This is disabled by default, uncomment this to enable it.
        #listen_tcp = 1
        listen_tcp = 1  # needed by migration

        # Change the authentication scheme for TCP sockets.
        #
        # If you don't enable SASL, then all TCP traffic is cleartext.
        # Don't do this outside of a dev/test scenario. For real world
        # use, always enable SASL and use the GSSAPI or DIGEST-MD5
        # mechanism in /etc/sasl2/libvirt.conf
        #auth_tcp = "sasl"
        auth_tcp = "none"\t# the firewall admits only the nodes

        """

    func testInlineCommentOnARightValueChangesNothing() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Self.libvirtdConf, to: "etc/libvirt/libvirtd.conf")
        let outcome = try await OpTestHost().run("edit-ini", [
            "path": .string(path), "settings": .record(["listen_tls": .int(0), "listen_tcp": .int(1), "auth_tcp": .string("\"none\"")]),
        ])
        XCTAssertFalse(outcome.changed, outcome.diff)
        XCTAssertEqual(Disk.text(path), Self.libvirtdConf)
        XCTAssertFalse(Disk.exists(path + ".crucible~"))
    }

    func testInlineCommentStaysWhenTheValueChanges() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Self.libvirtdConf, to: "etc/libvirt/libvirtd.conf")
        try await EditCycle().run("edit-ini", [
            "path": .string(path), "settings": .record(["listen_tcp": .int(0), "auth_tcp": .string("\"sasl\"")]),
        ], path: path, golden: "real-files/libvirtd.conf.inline-comments")
    }

    static let sysconfigLibvirtd = """
        # Override the default config file
        # NOTE: This setting is no longer honoured if using
        # systemd. Set '--config /etc/libvirt/libvirtd.conf'
        # in LIBVIRTD_ARGS instead.
        #LIBVIRTD_CONFIG=/etc/libvirt/libvirtd.conf

        # Listen for TCP/IP connections
        # NB. must setup TLS/SSL keys prior to using this
        #LIBVIRTD_ARGS="--listen"
        LIBVIRTD_ARGS="--listen" # live migration

        # Override Kerberos service keytab for SASL/GSSAPI
        #KRB5_KTNAME=/etc/libvirt/krb5.tab
        KRB5_KTNAME=/etc/libvirt/krb5#2.tab

        # Override the QEMU/SDL default audio driver probing when
        # starting virtual machines using SDL graphics
        QEMU_AUDIO_DRV="none # not a comment"

        """

    /// `#` after a blank outside quotes is a comment; inside quotes or a word it is value.
    func testHashInAShellValueIsValueUnlessAfterABlankOutsideQuotes() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Self.sysconfigLibvirtd, to: "etc/sysconfig/libvirtd")
        let unchanged = try await OpTestHost().run("edit-ini", [
            "path": .string(path), "settings": .record([
                "LIBVIRTD_ARGS": .string("\"--listen\""), "KRB5_KTNAME": .string("/etc/libvirt/krb5#2.tab"),
                "QEMU_AUDIO_DRV": .string("\"none # not a comment\""),
            ]),
        ])
        XCTAssertFalse(unchanged.changed, unchanged.diff)
        try await EditCycle().run("edit-ini", [
            "path": .string(path), "settings": .record([
                "LIBVIRTD_ARGS": .string("\"--listen --timeout 120\""), "QEMU_AUDIO_DRV": .string("\"pa\""),
            ]),
        ], path: path, golden: "real-files/sysconfig-libvirtd.inline-comments")
    }

    // MARK: - Values with blanks at an end

    func testValueWithBlanksAtAnEndIsRefusedWithAClearError() async throws {
        let scratch = try Scratch()
        let path = try scratch.copyFixture("upstream/nova/rdo-juno-2014.2.1/nova.conf.sample", to: "etc/nova/nova.conf")
        let stock = Disk.bytes(path)
        for value in ["/var/lib/nova/instances ", " /var/lib/nova/instances", "\t0.0.0.0"] {
            do {
                _ = try await OpTestHost().run("edit-ini", [
                    "path": .string(path), "section": .string("DEFAULT"), "settings": .record(["instances_path": .string(value)]),
                ])
                XCTFail("\(Value.quoted(value)) should be refused")
            } catch let error as OpError {
                XCTAssertTrue(error.message.contains("with a blank"), error.message)
                XCTAssertTrue(error.message.contains("instances_path"), error.message)
            }
        }
        XCTAssertEqual(Disk.bytes(path), stock)
    }

    /// The engine itself (called without the op's check) writes such a value once and then
    /// leaves the line alone: the line does not grow on every run.
    func testEngineWritesABlankEdgedValueOnceThenStable() throws {
        var document = IniDocument("[DEFAULT]\n#instances_path=$state_path/instances\ninstances_path = /srv\n")
        XCTAssertTrue(document.set("instances_path", to: " /var/lib/nova/instances ", in: "DEFAULT"))
        let once = document.bytes
        for _ in 0..<3 {
            var again = IniDocument(once)
            XCTAssertFalse(again.set("instances_path", to: " /var/lib/nova/instances ", in: "DEFAULT"))
            XCTAssertEqual(again.bytes, once)
        }
    }

    // MARK: - smb.conf: tab-indented sections, keys with blanks

    static let smbConf = """
        # This is the main Samba configuration file. For detailed information about the
        # options listed here, refer to the smb.conf(5) manual page. Samba has a huge
        # number of configurable options, most of which are not shown in this example.
        #
        # Any line starting with a ; (semi-colon) or a # (hash) is a comment and is
        # ignored. In this example we will use a # for commentary and a ; for parts of
        # the config file that you may wish to enable.
        #
        #======================= Global Settings =====================================

        [global]

        # ----------------------- Network-Related Options -------------------------
        \tworkgroup = MYGROUP
        \tserver string = Samba Server Version %v

        ;\tnetbios name = MYSERVER

        ;\tinterfaces = lo eth0 192.168.12.2/24 192.168.13.2/24
        ;\thosts allow = 127. 192.168.12. 192.168.13.

        # --------------------------- Logging Options -----------------------------
        \t# log files split per-machine:
        \tlog file = /var/log/samba/log.%m
        \t# maximum size of 50KB per log file, then rotate:
        \tmax log size = 50

        # ----------------------- Standalone Server Options ------------------------
        \tsecurity = user
        \tpassdb backend = tdbsam

        #============================ Share Definitions ==============================

        [homes]
        \tcomment = Home Directories
        \tbrowseable = no
        \twritable = yes

        """

    func testSmbConfKeysWithBlanksInATabIndentedSection() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Self.smbConf, to: "etc/samba/smb.conf")
        try await EditCycle().run("edit-ini", [
            "path": .string(path), "section": .string("global"), "settings": .record([
                "passdb backend": .string("ldapsam:ldap://ldap.example.com"),
                "netbios name": .string("FILES"),
                "server min protocol": .string("SMB2"),
                "max log size": .none,
            ]),
        ], path: path, golden: "real-files/smb.conf.global")
        let homes = try await OpTestHost(backupsByDefault: false).run("edit-ini", [
            "path": .string(path), "section": .string("homes"), "settings": .record(["valid users": .string("%S")]),
        ])
        XCTAssertTrue(homes.diff.contains("+\tvalid users = %S\n"), homes.diff)
        let removed = try await OpTestHost(backupsByDefault: false).run("edit-ini", [
            "path": .string(path), "section": .string("homes"), "state": .string("absent"), "settings": .record(["valid users": .none]),
        ])
        XCTAssertTrue(removed.changed)
        try Golden.assertEqual(try XCTUnwrap(Disk.bytes(path)), "real-files/smb.conf.global", file: #filePath, line: #line)
    }

    // MARK: - ensure-line with a """ block

    static let hostsAllow = """
        #
        # hosts.allow\tThis file contains access rules which are used to
        #\t\tallow or deny connections to network services that
        #\t\teither use the tcp_wrappers library or that have been
        #\t\tstarted through a tcp_wrappers-enabled xinetd.
        #
        #\t\tSee 'man 5 hosts_options' and 'man 5 hosts_access'
        #\t\tfor information on rule syntax.
        #\t\tSee 'man tcpd' for information on tcp_wrappers
        #

        """

    func testBlockAddsExactlyItsLines() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Self.hostsAllow, to: "etc/hosts.allow")
        // What `"""` gives: the lines, each ending with a newline.
        let block = "rpcbind: 10.0.0.0/255.255.255.0\nmountd: 10.0.0.0/255.255.255.0\n"
        try await EditCycle().run("ensure-line", ["path": .string(path), "line": .string(block)],
                                  path: path, golden: "real-files/hosts.allow.block")
        XCTAssertEqual(Disk.text(path), Self.hostsAllow + block)
    }

    // MARK: - fstab swap entries

    static let fstab = """

        #
        # /etc/fstab
        # Created by anaconda on Mon Nov 24 10:21:33 2014
        #
        # Accessible filesystems, by reference, are maintained under '/dev/disk'
        # See man pages fstab(5), findfs(8), mount(8) and/or blkid(8) for more info
        #
        /dev/mapper/rhel-root   /                       xfs     defaults        0 0
        UUID=3d9f5b2e-8c41-4b6a-9f0e-6a1d2c3b4e5f /boot                   xfs     defaults        0 0
        /dev/mapper/rhel-swap   swap                    swap    defaults        0 0
        UUID=77a0c5e4-1f2b-4c3d-8e9f-0a1b2c3d4e5f none swap sw 0 0

        """

    func testSwapEntriesAreToldApartByTheirSource() async throws {
        let scratch = try Scratch()
        let path = try scratch.write(Self.fstab, to: "etc/fstab")
        let swap = { (source: String, options: String) -> [String: Value] in
            ["path": .string(path), "source": .string(source), "mountpoint": .string("swap"), "fstype": .string("swap"),
             "options": .string(options)]
        }
        // A third swap area is added; the two there stay.
        try await EditCycle().run("fstab", swap("/dev/vdb1", "defaults"), path: path, golden: "real-files/fstab.swap-added")
        // One of them changes options: only its line.
        let host = OpTestHost(backupsByDefault: false)
        let priority = try await host.run("fstab", swap("/dev/mapper/rhel-swap", "defaults,pri=10"))
        XCTAssertEqual(priority.diff.split(separator: "\n").filter { $0.hasPrefix("-/") || $0.hasPrefix("+/") }, [
            "-/dev/mapper/rhel-swap   swap                    swap    defaults        0 0",
            "+/dev/mapper/rhel-swap   swap                    swap    defaults,pri=10 0 0",
        ])
        // `none` and `swap` both mean a swap area: removing one by its source leaves the others.
        var absent = swap("UUID=77a0c5e4-1f2b-4c3d-8e9f-0a1b2c3d4e5f", "sw")
        absent["state"] = .string("absent")
        absent["mountpoint"] = .string("none")
        let removed = try await host.run("fstab", absent)
        XCTAssertTrue(removed.changed)
        let text = try XCTUnwrap(Disk.text(path))
        XCTAssertFalse(text.contains("UUID=77a0c5e4"))
        XCTAssertTrue(text.contains("/dev/vdb1") && text.contains("/dev/mapper/rhel-swap") && text.contains(" /boot "))
        let again = try await host.run("fstab", swap("/dev/vdb1", "defaults"))
        XCTAssertFalse(again.changed)
    }

    // MARK: - Symlinks and directories

    func testBackupOfAFileEditedThroughASymlinkIsBesideTheTarget() async throws {
        let scratch = try Scratch()
        let target = try scratch.write(Self.libvirtdConf, to: "srv/config/libvirtd.conf")
        let link = scratch.path("etc/libvirt/libvirtd.conf")
        try FileManager.default.createDirectory(atPath: scratch.path("etc/libvirt"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let outcome = try await OpTestHost().run("edit-ini", ["path": .string(link), "settings": .record(["listen_tcp": .int(0)])])
        XCTAssertTrue(outcome.changed)
        XCTAssertEqual(Disk.text(target + ".crucible~"), Self.libvirtdConf, "the backup sits beside the file it saves")
        XCTAssertFalse(Disk.exists(link + ".crucible~"), "no backup beside the link")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), target, "the link stays a link")
        XCTAssertTrue(Disk.text(target)?.contains("listen_tcp = 0  # needed by migration") == true)
    }

    func testAPathThatIsADirectoryIsSaidSo() async throws {
        let scratch = try Scratch()
        let directory = scratch.path("etc/libvirt")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let calls: [(String, [String: Value])] = [
            ("edit-ini", ["path": .string(directory), "settings": .record(["listen_tcp": .int(1)])]),
            ("ensure-line", ["path": .string(directory), "line": .string("x")]),
            ("fstab", ["path": .string(directory), "source": .string("ctl:/"), "mountpoint": .string("/mnt"), "fstype": .string("nfs4")]),
            ("hosts-entry", ["path": .string(directory), "address": .string("10.0.0.5"), "names": .string("c1")]),
        ]
        for (op, arguments) in calls {
            do {
                _ = try await OpTestHost().run(op, arguments)
                XCTFail("\(op) on a directory should fail")
            } catch let error as OpError {
                XCTAssertEqual(error.message, "\(op): \(directory) is a directory, not a file")
                XCTAssertFalse(error.description.contains("cat"), error.description)
            }
        }
    }
}
