import DSL
import Interpreter
import Stdlib
import XCTest

/// Params files read by the checker: values, override order, and every error as the
/// exact text a user sees (file:line:col, the line, the caret, the hint).
final class ParamsFileTests: XCTestCase {
    static let recipe = """
        # The NFS server.
        param controller: host
        param computes: [host] = []
        param nfs_domain = "localdomain"
        param mountd_port = 892
        param packstack = false
        param root_ssh_key = ""
        on controller { log(nfs_domain) }
        """

    /// Checks `recipe` with the params files (in order) then the `--set` values.
    func check(_ files: [(name: String, text: String)], set: [(String, String)] = [], recipe: String = recipe,
               requireValues: Bool = true) -> (values: [String: Value], rendered: String) {
        let (program, syntax) = Parser.parse(SourceFile(name: "recipe.crucible", text: recipe))
        XCTAssertEqual(syntax, [], "the test recipe parses")
        var inputs: [ParamInput] = []
        var diagnostics: [Diagnostic] = []
        for file in files {
            let parsed = ParamsFile.parse(SourceFile(name: file.name, text: file.text))
            inputs += parsed.inputs
            diagnostics += parsed.diagnostics
        }
        inputs += set.map { ParamInput(name: $0.0, raw: $0.1) }
        var checker = Checker(ops: Stdlib.all, inputs: inputs, requireParamValues: requireValues)
        // The errors: the test recipes declare params they never read, which is not the point here.
        diagnostics += checker.check(program).filter { $0.severity == .error }
        return (checker.paramValues, DiagnosticRenderer().render(diagnostics))
    }

    // MARK: - Values

    func testLiteralsOfEveryKindAreBoundWithTheirTypes() {
        let result = check([("site.params", """
            # a comment is kept out of the values
            controller = "ctl1=root@10.0.0.1"
            computes = ["root@10.0.0.2" as "cmp1", "root@[fd00::3]:2222"]   # trailing comment
            nfs_domain = "example.org"
            mountd_port = -1
            packstack = true
            """)])
        XCTAssertEqual(result.rendered, "")
        XCTAssertEqual(result.values["controller"], .host(HostTarget(user: "root", address: "10.0.0.1", displayName: "ctl1")))
        XCTAssertEqual(result.values["computes"], .list([
            .host(HostTarget(user: "root", address: "10.0.0.2", displayName: "cmp1")),
            .host(HostTarget(user: "root", address: "fd00::3", port: 2222)),
        ]))
        XCTAssertEqual(result.values["nfs_domain"], .string("example.org"))
        XCTAssertEqual(result.values["mountd_port"], .int(-1))
        XCTAssertEqual(result.values["packstack"], .bool(true))
        XCTAssertNil(result.values["root_ssh_key"], "a param the file leaves out keeps the recipe's default")
    }

    func testLaterFilesOverrideEarlierOnesAndSetOverridesFiles() {
        let base = (name: "base.params", text: """
            controller = "root@10.0.0.1"
            nfs_domain = "base.example"
            mountd_port = 1
            packstack = true
            """)
        let site = (name: "site.params", text: """
            nfs_domain = "site.example"
            mountd_port = 2
            """)
        let result = check([base, site], set: [("mountd_port", "3")])
        XCTAssertEqual(result.rendered, "")
        XCTAssertEqual(result.values["controller"], .host(HostTarget(user: "root", address: "10.0.0.1")), "only in base")
        XCTAssertEqual(result.values["packstack"], .bool(true), "only in base")
        XCTAssertEqual(result.values["nfs_domain"], .string("site.example"), "the later file wins")
        XCTAssertEqual(result.values["mountd_port"], .int(3), "--set wins over every file")

        let reversed = check([site, base])
        XCTAssertEqual(reversed.values["nfs_domain"], .string("base.example"), "order of the files decides")
        XCTAssertEqual(reversed.values["mountd_port"], .int(1))
    }

    func testARequiredPlaceholderIsFilledByALaterFileOrSet() {
        let generated = (name: "gen.params", text: "controller = required\n")
        XCTAssertEqual(check([generated, ("site.params", "controller = \"root@10.0.0.9\"\n")]).rendered, "")
        let set = check([generated], set: [("controller", "root@10.0.0.8")])
        XCTAssertEqual(set.rendered, "")
        XCTAssertEqual(set.values["controller"], .host(HostTarget(user: "root", address: "10.0.0.8")))
    }

    func testAnOverriddenLineIsStillCheckedAndALaterPlaceholderWins() {
        let base = (name: "base.params", text: "controller = \"root@10.0.0.1\"\nmountd_port = \"892\"\n")
        let site = (name: "site.params", text: "mountd_port = 893\n")
        let overridden = check([base, site])
        XCTAssertEqual(overridden.values["mountd_port"], .int(893))
        XCTAssertTrue(overridden.rendered.hasPrefix("base.params:2:15: error: param `mountd_port`: expected an int"),
                      "a wrong line stays an error even when a later file overrides it:\n\(overridden.rendered)")

        let template = (name: "gen.params", text: "controller = required\n")
        let reset = check([(base.name, "controller = \"root@10.0.0.1\"\n"), template])
        XCTAssertNil(reset.values["controller"])
        XCTAssertTrue(reset.rendered.hasPrefix("gen.params:1:14: error: no value for the required param `controller`"),
                      "the later file asks for the value again:\n\(reset.rendered)")
    }

    func testHostileValuesArePassedLiterally() {
        // Quotes, command substitution, backticks, `;`, a newline escape and a dollar sign:
        // the bound value is exactly the characters the literal denotes, nothing expanded.
        let literal = #""it's \"quoted\" $(touch /tmp/pwned) `id`; rm -rf / \\n done\nsecond line \$HOME""#
        let expected = "it's \"quoted\" $(touch /tmp/pwned) `id`; rm -rf / \\n done\nsecond line $HOME"
        let result = check([("hostile.params", "controller = \"local\"\nroot_ssh_key = \(literal)\n")])
        XCTAssertEqual(result.rendered, "")
        XCTAssertEqual(result.values["root_ssh_key"], .string(expected))
    }

    // MARK: - Golden diagnostics

    func testUnknownNameSuggestsTheClosestParam() {
        let result = check([("site.params", "controller = \"root@10.0.0.1\"\nnfs_domian = \"x\"\n")])
        XCTAssertEqual(result.rendered, """
            site.params:2:1: error: the recipe has no param `nfs_domian`
             2 | nfs_domian = "x"
               | ^~~~~~~~~~
               = hint: did you mean `nfs_domain`?

            """)
    }

    func testWrongTypeNamesTheValueAndTheDeclaration() {
        let result = check([("site.params", "controller = \"root@10.0.0.1\"\nmountd_port = \"892\"\npackstack = 1\n")])
        XCTAssertEqual(result.rendered, """
            site.params:2:15: error: param `mountd_port`: expected an int, found a string
             2 | mountd_port = "892"
               |               ^~~~~
               = hint: write the number without quotes: `892`
            recipe.crucible:5:7: note: `mountd_port` is declared here
             5 | param mountd_port = 892
               |       ^~~~~~~~~~~
            site.params:3:13: error: param `packstack`: expected a bool, found an int
             3 | packstack = 1
               |             ^
               = hint: write a bool, like `true`
            recipe.crucible:6:7: note: `packstack` is declared here
             6 | param packstack = false
               |       ^~~~~~~~~

            """)
    }

    func testRequiredPlaceholderLeftInTheFileIsReportedThere() {
        let result = check([("gen.params", "# The NFS server.\ncontroller = required\n")])
        XCTAssertEqual(result.rendered, """
            gen.params:2:14: error: no value for the required param `controller` (host)
             2 | controller = required
               |              ^~~~~~~~
               = hint: replace `required` with a value like `"root@10.0.0.1"`, or give `--set controller=root@10.0.0.1`
            recipe.crucible:2:7: note: `controller` is declared here
             2 | param controller: host
               |       ^~~~~~~~~~

            """)
        XCTAssertEqual(check([("gen.params", "controller = required\n")], requireValues: false).rendered, "",
                       "lint without values does not ask for them")
    }

    func testRequiredParamAbsentFromTheFilesNamesWhereToGiveIt() {
        let result = check([("site.params", "nfs_domain = \"x\"\n")])
        XCTAssertEqual(result.rendered, """
            recipe.crucible:2:7: error: no value for the required param `controller` (host)
             2 | param controller: host
               |       ^~~~~~~~~~
               = hint: give it with `--set controller=root@10.0.0.1` or as `controller = "root@10.0.0.1"` in site.params

            """)
    }

    func testMalformedHostIsReportedAtItsListItem() {
        let result = check([("site.params", """
            controller = "root@10.0.0.1"
            computes = ["root@10.0.0.2", "root@10.0.0.3:99999"]
            """)])
        XCTAssertEqual(result.rendered, """
            site.params:2:30: error: param `computes`: item 2: `root@10.0.0.3:99999` is not a host: `99999` is not a port number (1-65535)
             2 | computes = ["root@10.0.0.2", "root@10.0.0.3:99999"]
               |                              ^~~~~~~~~~~~~~~~~~~~~
               = hint: write `[user@]address[:port]`, like `"root@10.0.0.1"`, or `"ctl1=root@10.0.0.1"` with a display name
            recipe.crucible:3:7: note: `computes` is declared here
             3 | param computes: [host] = []
               |       ^~~~~~~~

            """)
    }

    func testMalformedHostWithADisplayName() {
        let result = check([("site.params", "controller = \"root@10.0.0.1 ;reboot\" as \"ctl1\"\n")])
        XCTAssertEqual(result.rendered, """
            site.params:1:14: error: `root@10.0.0.1 ;reboot` is not a host: a host cannot contain ` `
             1 | controller = "root@10.0.0.1 ;reboot" as "ctl1"
               |              ^~~~~~~~~~~~~~~~~~~~~~~
               = hint: write `[user@]address[:port]`, like `"root@10.0.0.1"`

            """, "reported once, at the host; no cascade about the missing param")
    }

    func testListWrittenAsAStringGetsTheBracketedFix() {
        let result = check([("site.params", "controller = \"root@10.0.0.1\"\ncomputes = \"root@10.0.0.2,root@10.0.0.3\"\n")])
        XCTAssertEqual(result.rendered, """
            site.params:2:12: error: param `computes`: expected a list [host], found a string
             2 | computes = "root@10.0.0.2,root@10.0.0.3"
               |            ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~
               = hint: write a list in brackets: `["root@10.0.0.2", "root@10.0.0.3"]`
            recipe.crucible:3:7: note: `computes` is declared here
             3 | param computes: [host] = []
               |       ^~~~~~~~

            """)
    }

    func testUnclosedListIsASyntaxErrorAtItsLine() {
        let result = check([("site.params", "controller = \"root@10.0.0.1\"\ncomputes = [\"root@10.0.0.2\"\nnfs_domain = \"x\"\n")])
        XCTAssertTrue(result.rendered.hasPrefix("site.params:3:1: error: expected `,` or `]` in the list"), result.rendered)
        XCTAssertFalse(result.rendered.contains("no value for the required"), "no cascade:\n\(result.rendered)")
    }

    func testStatementsOtherThanAssignmentsAndNonLiteralsAreRefused() {
        let result = check([("site.params", """
            controller = "root@10.0.0.1"
            let x = 1
            mountd_port = 800 + 92
            nfs_domain = "${controller}"
            packstack true
            root_ssh_key = key
            """)])
        XCTAssertEqual(result.rendered, """
            site.params:2:1: error: write `x = ...` without `let`: a params file only sets the recipe's params
             2 | let x = 1
               | ^~~~~~~~~
            site.params:3:15: error: a params file value must be a literal, not an expression
             3 | mountd_port = 800 + 92
               |               ^~~~~~~~
               = hint: write the value itself: a "string", an int, true or false, a [list] or a host
            site.params:4:14: error: a params file value cannot use `${...}`
             4 | nfs_domain = "${controller}"
               |              ^~~~~~~~~~~~~~~
               = hint: values are taken literally; write `\\$` for a dollar sign
            site.params:5:1: error: expected `name = value`, found `packstack` followed by a value
             5 | packstack true
               | ^~~~~~~~~~~~~~
               = hint: write `packstack = true`
            site.params:6:16: error: `key` is a name, not a value
             6 | root_ssh_key = key
               |                ^~~
               = hint: values are literals: quote text (`"key"`)

            """)
    }

    func testASecondLineForTheSameNameIsAnError() {
        let result = check([("site.params", "controller = \"root@10.0.0.1\"\nnfs_domain = \"a\"\nnfs_domain = \"b\"\n")])
        XCTAssertEqual(result.rendered, """
            site.params:3:1: error: `nfs_domain` is set twice in this file
             3 | nfs_domain = "b"
               | ^~~~~~~~~~
               = hint: keep one of the two lines
            site.params:2:1: note: first set here
             2 | nfs_domain = "a"
               | ^~~~~~~~~~

            """)
    }

    // MARK: - Writing

    func testWrittenLiteralsReadBackAsTheSameValues() {
        let values: [Value] = [
            .string("a \"b\" $(c) `d`; e\nf \\ ${g}"), .int(-42), .int(0), .bool(true), .none, .list([]),
            .list([.string("x"), .int(1)]),
            .host(HostTarget(user: "root", address: "10.0.0.1", port: 2222)),
            .host(HostTarget(user: "root", address: "fd00::1", port: 22, displayName: "ctl-1")),
            .record(["key": .string("v"), "odd key": .list([.bool(false)])]),
        ]
        for value in values {
            let text = ParamsFileWriter.literal(value)
            let parsed = ParamsFile.parse(SourceFile(name: "t.params", text: "x = \(text)\n"))
            XCTAssertEqual(parsed.diagnostics, [], text)
            // A host is read as its string and becomes a host when the param's type asks for one.
            let read = parsed.inputs.first?.value.map { ParamConformance.conform($0, written: nil, to: value.type) }
            XCTAssertEqual(try read?.get(), value, text)
        }
    }
}

/// The generated file, as text: doc comments, types, defaults, placeholders.
final class ParamsFileWriterTests: XCTestCase {
    func testEveryKindOfParamIsWrittenWithItsDocTypeAndDefault() {
        let recipe = """
            # Runs everything.
            # Second line of its doc.
            param controller: host
            param dir = "/srv/${1}"
            param base = "/srv"
            # Computed from `base`.
            param data = base + "/data"
            param limits: record = { soft = 1, "hard limit" = 2 }
            param ports: [int] = [1, 2]
            """
        let (program, _) = Parser.parse(SourceFile(name: "r.crucible", text: recipe))
        var checker = Checker(ops: Stdlib.all, inputs: [ParamInput(name: "ports", raw: "7,8")], requireParamValues: false)
        _ = checker.check(program)
        let entries = checker.declaredParams.map { decl in
            ParamsFileWriter.Entry(decl: decl, type: checker.paramTypes[decl.name.name] ?? .any,
                                   given: checker.paramValues[decl.name.name].map { ($0, "--set") })
        }
        let text = ParamsFileWriter(recipe: "my recipe.crucible", entries: entries).render()
        let body = text.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
        XCTAssertTrue(text.hasPrefix("# Params for the recipe 'my recipe.crucible', written by `crucible-sh params 'my recipe.crucible'`.\n"), text)
        XCTAssertEqual(body, """
            # Runs everything.
            # Second line of its doc.
            # host, required
            controller = required

            # string, computed by the recipe by default: "/srv/${1}"
            # dir = "text"

            # string, default "/srv"
            base = "/srv"

            # Computed from `base`.
            # string, computed by the recipe by default: base + "/data"
            # data = "text"

            # record, default { soft = 1, "hard limit" = 2 }
            limits = { soft = 1, "hard limit" = 2 }

            # [int], default [1, 2]; this value from --set
            ports = [7, 8]

            """)
        // The generated file reads back: only the placeholder is left to fill in.
        let file = ParamsFile.parse(SourceFile(name: "gen.params", text: text))
        XCTAssertEqual(file.diagnostics, [])
        XCTAssertEqual(file.inputs.map(\.name), ["controller", "base", "limits", "ports"])
        XCTAssertEqual(file.inputs.first?.gap, .required)
    }
}
