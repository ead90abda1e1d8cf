/// Trimming of blanks (spaces and tabs) only: config files treat other whitespace as text.
extension StringProtocol {
    var trimmingTrailingBlanks: SubSequence {
        var end = endIndex
        while end > startIndex {
            let previous = index(before: end)
            guard self[previous] == " " || self[previous] == "\t" else { break }
            end = previous
        }
        return self[startIndex..<end]
    }

    var trimmingBlanks: String {
        String(trimmingTrailingBlanks.drop { $0 == " " || $0 == "\t" })
    }
}
