import Interpreter

/// Pure built-in functions (len, join, split...): no host needed.
public enum Builtins {
    public static var all: [OpSpec] { [] }
}
