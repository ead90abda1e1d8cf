/// The host aliases a config names, for listing and completion (`crucible-sh repl`'s
/// `:hosts`): every `Host` pattern without wildcards or negation.
extension SSHConfig {
    public var aliases: [String] {
        var seen: [String] = []
        for block in blocks {
            for pattern in block.patterns where !pattern.contains(where: { "*?!".contains($0) }) && !seen.contains(pattern) {
                seen.append(pattern)
            }
        }
        return seen
    }
}
