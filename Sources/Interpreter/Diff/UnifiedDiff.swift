/// Unified diffs (`diff -u` style) of a file's old and new bytes, for check mode and reports.
public enum UnifiedDiff {
    /// Placeholder until the real line diff lands: shows whole old and new contents.
    public static func render(old: [UInt8]?, new: [UInt8], path: String, context: Int = 3) -> String {
        let oldText = old.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let newText = String(decoding: new, as: UTF8.self)
        if oldText == newText { return "" }
        return "--- \(path)\n+++ \(path)\n" + oldText.split(separator: "\n", omittingEmptySubsequences: false).map { "-\($0)" }.joined(separator: "\n")
            + "\n" + newText.split(separator: "\n", omittingEmptySubsequences: false).map { "+\($0)" }.joined(separator: "\n") + "\n"
    }
}
