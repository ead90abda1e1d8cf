import Interpreter
import XCTest

/// Typed parameter keys: what each reading makes of a bound argument, left out, `none`,
/// single or a list, and the declaration the checker and the docs see.
final class ParamTests: XCTestCase {
    static let path = Param.string("path", positional: true, doc: "a path")
    static let state = Param.string("state", default: "present", choices: ["present", "absent"], doc: "a state")
    static let count = Param.int("count", default: 7, doc: "a count")
    static let create = Param.bool("create", default: false, doc: "a flag")
    static let mode = Param.optionalString("mode", .oneOf([.string, .none]), doc: "an optional string")
    static let chdir = Param.nonEmptyString("chdir", doc: "an optional string where empty means left out")
    static let timeout = Param.optionalInt("timeout", doc: "an optional int")
    static let enabled = Param.optionalBool("enabled", doc: "an optional bool")
    static let names = Param.strings("names", .oneOf([.list(.string), .string]), default: [], doc: "one name or several")
    static let items = Param.list("items", default: [], doc: "a list")
    static let settings = Param.record("settings", default: [:], doc: "a record")
    static let ports = Param.value("ports", .oneOf([.int, .list(.any)]), default: Value.none, doc: "as given")

    static let spec = OpSpec(
        name: "typed", summary: "every reading",
        params: [path.spec, state.spec, count.spec, create.spec, mode.spec, chdir.spec, timeout.spec, enabled.spec,
                 names.spec, items.spec, settings.spec, ports.spec],
        body: .pure { _ in .none })

    func bind(_ given: [String: Value]) throws -> OpArguments {
        try OpArguments.bind(Self.spec, given.merging(["path": .string("/etc/hosts")]) { given, _ in given })
    }

    func testALeftOutKeyReadsItsDefault() throws {
        let arguments = try bind([:])
        XCTAssertEqual(arguments[Self.path], "/etc/hosts")
        XCTAssertEqual(arguments[Self.state], "present")
        XCTAssertEqual(arguments[Self.count], 7)
        XCTAssertEqual(arguments[Self.create], false)
        XCTAssertEqual(arguments[Self.names], [])
        XCTAssertEqual(arguments[Self.items], [])
        XCTAssertTrue(arguments[Self.settings].isEmpty)
        XCTAssertEqual(arguments[Self.ports], Value.none)
    }

    func testGivenValuesReadAsTheirSwiftType() throws {
        let arguments = try bind(["state": .string("absent"), "count": .int(3), "create": .bool(true),
                                  "settings": .record(["listen_tcp": .int(1)]), "ports": .list([.int(111), .string("892/udp")])])
        XCTAssertEqual(arguments[Self.state], "absent")
        XCTAssertEqual(arguments[Self.count], 3)
        XCTAssertEqual(arguments[Self.create], true)
        XCTAssertEqual(Array(arguments[Self.settings].keys), ["listen_tcp"])
        XCTAssertEqual(arguments[Self.settings]["listen_tcp"], .int(1))
        XCTAssertEqual(arguments[Self.ports], .list([.int(111), .string("892/udp")]))
    }

    func testOptionalReadingsAreNilForNone() throws {
        for arguments in [try bind([:]), try bind(["mode": .none, "chdir": .none, "timeout": .none, "enabled": .none])] {
            XCTAssertNil(arguments[Self.mode])
            XCTAssertNil(arguments[Self.chdir])
            XCTAssertNil(arguments[Self.timeout])
            XCTAssertNil(arguments[Self.enabled])
        }
        let given = try bind(["mode": .string("0644"), "chdir": .string("/tmp"), "timeout": .int(30), "enabled": .bool(false)])
        XCTAssertEqual(given[Self.mode], "0644")
        XCTAssertEqual(given[Self.chdir], "/tmp")
        XCTAssertEqual(given[Self.timeout], 30)
        XCTAssertEqual(given[Self.enabled], false)
    }

    func testAnEmptyStringIsGivenForAnOptionalStringAndLeftOutForANonEmptyOne() throws {
        let arguments = try bind(["mode": .string(""), "chdir": .string("")])
        XCTAssertEqual(arguments[Self.mode], "")
        XCTAssertNil(arguments[Self.chdir])
    }

    func testAListParameterGivenOneStringReadsAListOfOne() throws {
        XCTAssertEqual(try bind(["names": .string("ctl")])[Self.names], ["ctl"])
        XCTAssertEqual(try bind(["names": .list([.string("ctl.example.com"), .string("ctl")])])[Self.names], ["ctl.example.com", "ctl"])
        XCTAssertEqual(try bind(["names": .none])[Self.names], [])
    }

    func testAStringParameterReadsOtherValuesAsInterpolationWritesThem() throws {
        // The binder does not check types (the checker does): a value of another type that
        // got this far reads as `${value}` would write it, and `none` as "".
        XCTAssertEqual(try bind(["state": .int(8)])[Self.state], "8")
        XCTAssertEqual(try bind(["state": .none])[Self.state], "")
        XCTAssertEqual(try bind(["mode": .bool(true)])[Self.mode], "true")
        XCTAssertEqual(try bind(["names": .list([.int(1), .bool(false)])])[Self.names], ["1", "false"])
    }

    func testTheKeyDeclaresWhatParamSpecWould() {
        XCTAssertEqual(Self.path.name, "path")
        XCTAssertTrue(Self.path.spec.isRequired)
        XCTAssertTrue(Self.path.spec.positional)
        XCTAssertEqual(Self.path.spec.type, .string)
        XCTAssertEqual(Self.state.spec.defaultValue, .string("present"))
        XCTAssertEqual(Self.state.spec.choices, ["present", "absent"])
        XCTAssertEqual(Self.count.spec.defaultValue, .int(7))
        XCTAssertEqual(Self.names.spec.defaultValue, .list([]))
        XCTAssertEqual(Self.names.spec.type, .oneOf([.list(.string), .string]))
        // An optional reading is declared with a `none` default, so `none` may be written out.
        XCTAssertEqual(Self.mode.spec.defaultValue, Value.none)
        XCTAssertEqual(Self.mode.spec.type, .oneOf([.string, .none]))
        XCTAssertEqual(Self.chdir.spec.defaultValue, Value.none)
        XCTAssertEqual(Self.chdir.spec.acceptedType, .oneOf([.string, .none]))
        XCTAssertEqual(Self.timeout.spec.acceptedType, .oneOf([.int, .none]))
    }
}
