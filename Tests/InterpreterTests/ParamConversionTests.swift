import Interpreter
import XCTest

/// `--set NAME=VALUE` text into a value of the param's type.
final class ParamConversionTests: XCTestCase {
    func value(_ raw: String, _ type: ValueType) -> Value? { try? ParamConversion.convert(raw, to: type).get() }

    func message(_ raw: String, _ type: ValueType) -> String? {
        if case .failure(let error) = ParamConversion.convert(raw, to: type) { return error.message }
        return nil
    }

    func testStringsAndAnyAreTakenAsWritten() {
        XCTAssertEqual(value(" two words ", .string), .string(" two words "))
        XCTAssertEqual(value("$(id); rm -rf /", .string), .string("$(id); rm -rf /"))
        XCTAssertEqual(value("42", .any), .string("42"))
    }

    func testInts() {
        XCTAssertEqual(value("42", .int), .int(42))
        XCTAssertEqual(value(" -7 ", .int), .int(-7))
        XCTAssertEqual(message("4.5", .int), "`4.5` is not an integer")
        XCTAssertEqual(message("", .int), "`` is not an integer")
    }

    func testBools() {
        for text in ["true", "YES", "on", "1"] { XCTAssertEqual(value(text, .bool), .bool(true), text) }
        for text in ["false", "No", "off", "0"] { XCTAssertEqual(value(text, .bool), .bool(false), text) }
        XCTAssertEqual(message("maybe", .bool), "`maybe` is not a boolean (true or false)")
    }

    func testLists() {
        XCTAssertEqual(value("a, b ,c", .list(.string)), .list([.string("a"), .string("b"), .string("c")]))
        XCTAssertEqual(value("1,2", .list(.int)), .list([.int(1), .int(2)]))
        XCTAssertEqual(message("1,x", .list(.int)), "item 2: `x` is not an integer")
        XCTAssertEqual(message("a,,b", .list(.string)), "item 2 of `a,,b` is empty")
        XCTAssertEqual(message(" ", .list(.string)), "the value is empty; give a comma-separated list such as `a,b`")
    }

    func testHosts() {
        XCTAssertEqual(value("root@10.0.0.1:2222", .host), .host(HostTarget(user: "root", address: "10.0.0.1", port: 2222)))
        XCTAssertEqual(value("local", .host), .host(.local))
        XCTAssertEqual(value("ctl=root@10.0.0.1", .host),
                       .host(HostTarget(user: "root", address: "10.0.0.1", displayName: "ctl")))
        XCTAssertEqual(value("c1=10.0.0.2, local", .list(.host)),
                       .list([.host(HostTarget(address: "10.0.0.2", displayName: "c1")), .host(.local)]))
        XCTAssertEqual(message("root@bad;host", .host), "`root@bad;host` is not a host: a host cannot contain `;`")
        XCTAssertEqual(message("=10.0.0.1", .host), "the display name before `=` in `=10.0.0.1` is empty")
        XCTAssertEqual(message("ok,-oProxyCommand", .list(.host)), "item 2: `-oProxyCommand` is not a host: a host cannot contain `-`")
    }

    func testRecordsCannotComeFromTheCommandLine() {
        XCTAssertEqual(message("x", .record),
                       "a record param cannot be given on the command line; set it in the recipe or a params file")
    }
}
