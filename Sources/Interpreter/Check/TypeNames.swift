import DSL

extension ValueType {
    /// The type a recipe wrote (`[host]`), or nil with a diagnostic for an unknown name.
    static func from(_ expr: TypeExpr) -> Result<ValueType, Diagnostic> {
        switch expr {
        case .list(let element, _):
            return from(element).map { .list($0) }
        case .named(let identifier):
            switch identifier.name {
            case "string": return .success(.string)
            case "int": return .success(.int)
            case "bool": return .success(.bool)
            case "host": return .success(.host)
            case "record": return .success(.record)
            case "any": return .success(.any)
            default:
                let known = ["string", "int", "bool", "host", "record", "any"]
                return .failure(Diagnostic(
                    id: "E-unknown-type", span: identifier.span, message: "unknown type `\(identifier.name)`",
                    hint: Suggestions.hint(for: identifier.name, in: known) ?? "types are: \(known.joined(separator: ", ")), [T]"))
            }
        }
    }
}

extension ValueType {
    /// A type that may be `none` (`facts().nova_uid`: an int or none) as operators and
    /// conditions take it: as its other type. The checker has no way to see a test against
    /// `none` before the use, so it leaves that case to the run.
    var ignoringNone: ValueType {
        guard case .oneOf(let options) = self, options.contains(.none) else { return self }
        let others = options.filter { $0 != .none }
        return others.count == 1 ? others[0] : .oneOf(others)
    }
}
