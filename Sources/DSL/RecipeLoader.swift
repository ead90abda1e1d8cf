import Foundation

/// Reads a recipe and the files it includes, relative to the including file, and parses
/// them all. Include cycles and missing files are diagnostics at the `include` line.
public struct RecipeLoader {
    /// Reads a file's text; replaceable so tests and bundled recipes need no disk.
    public var readFile: (String) -> String?

    public init(readFile: @escaping (String) -> String? = RecipeLoader.readFromDisk) {
        self.readFile = readFile
    }

    public static func readFromDisk(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses `source` (already read) and resolves its includes.
    public func load(_ source: SourceFile) -> (Program, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var visiting: [String] = [source.name]
        let program = parse(source, visiting: &visiting, diagnostics: &diagnostics)
        return (program, diagnostics)
    }

    public func load(path: String) -> (Program?, [Diagnostic]) {
        guard let text = readFile(path) else { return (nil, []) }
        let (program, diagnostics) = load(SourceFile(name: path, text: text))
        return (program, diagnostics)
    }

    /// The file's program with its includes spliced in; what the included files' programs
    /// know beyond their statements (unparsed names, unread includes, allowances) is merged
    /// into it.
    private func parse(_ source: SourceFile, visiting: inout [String], diagnostics: inout [Diagnostic]) -> Program {
        let (parsed, parseDiagnostics) = Parser.parse(source)
        diagnostics += parseDiagnostics
        var program = parsed
        let statements = parsed.statements.map {
            resolve($0, from: source, into: &program, visiting: &visiting, diagnostics: &diagnostics)
        }
        return Program(statements: statements, file: source, unparsedNames: program.unparsedNames,
                       unresolvedIncludes: program.unresolvedIncludes, allowances: program.allowances)
    }

    private func resolve(_ statement: Stmt, from source: SourceFile, into program: inout Program, visiting: inout [String],
                         diagnostics: inout [Diagnostic]) -> Stmt {
        guard case .include(let path, let span, _) = statement else { return statement }
        let resolved = path.hasPrefix("/") ? path : (URL(fileURLWithPath: source.name).deletingLastPathComponent().path + "/" + path)
        let normalized = URL(fileURLWithPath: resolved).standardizedFileURL.path
        if visiting.contains(normalized) {
            diagnostics.append(Diagnostic(id: "E-include-cycle", span: span, message: "`\(path)` includes itself (through \(visiting.map { ($0 as NSString).lastPathComponent }.joined(separator: " -> ")))",
                                          hint: "remove one of the includes"))
            return .include(path, span, [])
        }
        guard let text = readFile(normalized) else {
            diagnostics.append(Diagnostic(id: "E-include-missing", span: span, message: "cannot read included file `\(path)` (looked for \(normalized))",
                                          hint: "include paths are relative to the file that includes them"))
            program.unresolvedIncludes.insert(span)
            return .include(path, span, [])
        }
        visiting.append(normalized)
        defer { visiting.removeLast() }
        let included = parse(SourceFile(name: normalized, text: text), visiting: &visiting, diagnostics: &diagnostics)
        program.unparsedNames.formUnion(included.unparsedNames)
        program.unresolvedIncludes.formUnion(included.unresolvedIncludes)
        program.allowances += included.allowances
        return .include(path, span, included.statements)
    }
}
