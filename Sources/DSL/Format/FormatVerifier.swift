/// The formatter's safety net: the formatted text must parse to the same program (positions
/// aside) and keep every comment, in order. Otherwise it is a formatter bug, and refusing
/// is better than silently changing a recipe or dropping someone's comment.
enum FormatVerifier {
    static func check(original: SourceFile, program: Program, comments: [Comment], formatted: String) -> Diagnostic? {
        let file = SourceFile(name: original.name, text: formatted)
        var parser = Parser(file: file)
        let reparsed = parser.parseProgram()
        if let lost = firstLostComment(comments, kept: parser.comments) {
            return Diagnostic(id: "E-fmt-comment", span: lost.span,
                              message: "formatting would lose or move this comment, so the file was left as it is",
                              hint: "put the comment on a line of its own, and report the case as a formatter bug")
        }
        if parser.diagnostics.hasErrors || ASTShape.describe(reparsed) != ASTShape.describe(program) {
            return Diagnostic(id: "E-fmt-meaning", span: Span(file: original, start: 0, end: 0),
                              message: "formatting would change what this recipe means, so the file was left as it is",
                              hint: "this is a formatter bug: please report it with the recipe")
        }
        return nil
    }

    /// The first original comment with no counterpart, in order, among the kept ones.
    static func firstLostComment(_ original: [Comment], kept: [Comment]) -> Comment? {
        let keptTexts = kept.map(LayoutPass.normalized)
        for (index, comment) in original.enumerated() {
            guard index < keptTexts.count, keptTexts[index] == LayoutPass.normalized(comment) else { return comment }
        }
        return nil
    }
}
