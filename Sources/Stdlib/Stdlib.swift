import Interpreter

/// Every built-in operation and function, in the order `crucible-sh ops` lists them.
/// Each group declares its own specs in its own file.
public enum Stdlib {
    public static var all: [OpSpec] {
        FileOps.all + SystemOps.all + Builtins.all
    }

    public static func spec(named name: String) -> OpSpec? {
        all.first { $0.name == name }
    }
}
