import Interpreter
import XCTest

/// `[user@]address[:port]` and `local`; anything ssh or a shell could read as an option or
/// syntax is refused.
final class HostTargetTests: XCTestCase {
    func parse(_ text: String) -> HostTarget? { try? HostTarget.parse(text) }

    func failure(_ text: String) -> HostTarget.ParseError? {
        do {
            _ = try HostTarget.parse(text)
            return nil
        } catch {
            return error
        }
    }

    func testForms() {
        XCTAssertEqual(parse("local"), .local)
        XCTAssertTrue(parse("local")!.isLocal)
        XCTAssertEqual(parse("ctl"), HostTarget(address: "ctl"))
        XCTAssertEqual(parse("root@10.0.0.1"), HostTarget(user: "root", address: "10.0.0.1"))
        XCTAssertEqual(parse("10.0.0.1:2222"), HostTarget(address: "10.0.0.1", port: 2222))
        XCTAssertEqual(parse(" stack@c1.example.com:22 "), HostTarget(user: "stack", address: "c1.example.com", port: 22))
        XCTAssertEqual(parse("root@[::1]:2200"), HostTarget(user: "root", address: "::1", port: 2200))
        XCTAssertEqual(parse("fe80::1"), HostTarget(address: "fe80::1"), "bare IPv6 without a port")
        XCTAssertEqual(parse("[2001:db8::5]"), HostTarget(address: "2001:db8::5"))
    }

    func testLocalWithAUserOrPortIsAnSSHHostNamedLocal() {
        XCTAssertFalse(parse("root@local")!.isLocal)
        XCTAssertFalse(parse("local:22")!.isLocal)
    }

    func testDescriptionRoundTrips() {
        for text in ["local", "ctl", "root@10.0.0.1", "root@10.0.0.1:2222", "root@[::1]:2200", "fe80::1"] {
            XCTAssertEqual(parse(text)?.description, text)
            XCTAssertEqual(parse(parse(text)!.description), parse(text))
        }
    }

    func testNameIsTheDisplayNameElseTheAddress() {
        var target = parse("root@10.0.0.1")!
        XCTAssertEqual(target.name, "10.0.0.1")
        target.displayName = "ctl"
        XCTAssertEqual(target.name, "ctl")
        XCTAssertEqual(target.description, "root@10.0.0.1", "the display name is not part of the address")
    }

    func testRejections() {
        XCTAssertEqual(failure(""), .empty)
        XCTAssertEqual(failure("   "), .empty)
        XCTAssertEqual(failure("root@"), .empty)
        XCTAssertEqual(failure("@host"), .emptyUser)
        XCTAssertEqual(failure("host:0"), .badPort("0"))
        XCTAssertEqual(failure("host:65536"), .badPort("65536"))
        XCTAssertEqual(failure("host:ssh"), .badPort("ssh"))
        XCTAssertEqual(failure("[::1]x"), .badCharacter("x"))
    }

    func testShellAndOptionSyntaxIsRefused() {
        XCTAssertEqual(failure("-oProxyCommand=evil"), .badCharacter("="))
        XCTAssertEqual(failure("-host"), .badCharacter("-"))
        XCTAssertEqual(failure("host;reboot"), .badCharacter(";"))
        XCTAssertEqual(failure("ro ot@host"), .badCharacter(" "))
        XCTAssertEqual(failure("host$(id)"), .badCharacter("$"))
        XCTAssertEqual(failure("us`er@host"), .badCharacter("`"))
    }

    func testMessagesSayWhatIsExpected() {
        XCTAssertEqual(HostTarget.ParseError.empty.description, "a host is empty; expected `[user@]address[:port]` or `local`")
        XCTAssertEqual(HostTarget.ParseError.badPort("x").description, "`x` is not a port number (1-65535)")
    }
}
