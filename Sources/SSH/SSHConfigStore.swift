import Foundation
import Synchronization

/// The ssh config files the built-in reader (`SSHConfig`, used when no OpenSSH client is
/// installed) parsed in one run, shared by all its connections (`SSHOptions` holds one):
/// a config with a `Host` block per host, parsed once per connection, made every host
/// cost O(hosts). Each config is parsed once, and parsed again only when one of the files
/// it was read from changed (`FileState`); a file newly matching an `Include` glob is
/// seen by the next run. With OpenSSH installed, `ssh -G` resolves every host instead
/// and this store is not used.
final class SSHConfigStore: Sendable {
    private struct Parsed {
        var config: SSHConfig
        /// Each file it was read from, with its state just before it was read: a file
        /// changed while being read differs from it at the next lookup.
        var files: [(path: String, state: FileState)]
    }

    private struct Store {
        var parsed: [String: Parsed] = [:]
        var parses = 0
    }

    /// Held while a config is parsed: the hosts that want it meanwhile wait for that parse.
    private let store = Mutex(Store())

    func config(path: String, home: String) -> SSHConfig {
        store.withLock { store in
            let key = home + "\u{0}" + path
            if let cached = store.parsed[key],
               cached.files.allSatisfy({ $0.state != .unknown && FileState(path: $0.path) == $0.state }) {
                return cached.config
            }
            let (config, files) = SSHConfig.load(path: path, home: home)
            store.parses += 1
            store.parsed[key] = Parsed(config: config, files: files)
            return config
        }
    }

    /// How many configs were parsed (for tests: once per file per run).
    var parseCount: Int { store.withLock { $0.parses } }
}
