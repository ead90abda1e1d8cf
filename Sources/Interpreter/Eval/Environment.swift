import Foundation

/// Variables of one scope, chained to the enclosing scope. Each host of an `on` block gets
/// its own chain below the run's global scope, which no host writes to (the checker
/// rejects assignments to outer names inside `on` blocks).
///
/// Unchecked and lock-free on purpose (a name lookup is the evaluator's hottest path): a scope
/// is written only by the task running its code; while hosts run, the scopes above theirs are
/// only read (the checker's E-assign-shared and E-on-nested; `runOn` waits for every host;
/// one REPL entry at a time, `ReplLoop.settle`).
final class Environment: @unchecked Sendable {
    private var values: [String: Value] = [:]
    let parent: Environment?

    init(parent: Environment? = nil) {
        self.parent = parent
    }

    func define(_ name: String, _ value: Value) {
        values[name] = value
    }

    func lookup(_ name: String) -> Value? {
        if let value = values[name] { return value }
        return parent?.lookup(name)
    }

    /// Assigns to the nearest scope that defines `name`; false when none does.
    func assign(_ name: String, _ value: Value) -> Bool {
        if values[name] != nil {
            values[name] = value
            return true
        }
        return parent?.assign(name, value) ?? false
    }

    var allNames: [String] { Array(values.keys) + (parent?.allNames ?? []) }
}
