import ArgumentParser
import Foundation
import SSH
import Stdlib

/// What shell completion offers for crucible-sh's arguments (`--generate-completion-script`):
/// the custom kinds run the binary itself when Tab is pressed.
enum Completions {
    /// A recipe: a bundled recipe's name, a `.crucible` file or a directory on the way to one.
    static let recipe = CompletionKind.custom { _, _, prefix in
        BundledRecipes.names.filter { $0.hasPrefix(prefix) } + files(prefix, extensions: ["crucible"])
    }

    /// Recipe files (and directories) for `fmt`, `-` among them.
    static let recipeFiles = CompletionKind.file(extensions: ["crucible"])

    static let params = CompletionKind.file(extensions: ["params"])

    static let opNames = CompletionKind.list(Stdlib.all.map(\.name))

    static let bundledRecipes = CompletionKind.list(BundledRecipes.names)

    /// A host for the REPL: `local` and the aliases of ~/.ssh/config.
    static let host = CompletionKind.custom { _, _, prefix in
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        return (["local"] + SSHConfig(path: home + "/.ssh/config").aliases).filter { $0.hasPrefix(prefix) }
    }

    /// Paths that start with `prefix`: directories (with a trailing `/`, to go on) and the
    /// files with one of the extensions.
    static func files(_ prefix: String, extensions: [String]) -> [String] {
        let slash = prefix.lastIndex(of: "/")
        let directory = slash.map { String(prefix[...$0]) } ?? ""
        let namePrefix = slash.map { String(prefix[prefix.index(after: $0)...]) } ?? prefix
        let expanded = directory.hasPrefix("~/") ? NSHomeDirectory() + directory.dropFirst() : directory
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: expanded.isEmpty ? "." : expanded)) ?? []
        return entries.filter { $0.hasPrefix(namePrefix) && ($0.hasPrefix(".") == namePrefix.hasPrefix(".")) }.sorted().compactMap { name in
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: (expanded.isEmpty ? "" : expanded) + name, isDirectory: &isDirectory)
            if isDirectory.boolValue { return directory + name + "/" }
            return extensions.contains((name as NSString).pathExtension) ? directory + name : nil
        }
    }
}
