import CLibEdit
import Foundation
import Interpreter

/// Line editing on a terminal through libedit's readline interface: history kept in a
/// file, tab completion from a `Completer`, a Ctrl-C that abandons the line.
///
/// libedit keeps its state in C globals, so there is one editor per process; the C
/// callbacks reach it through `LineEditor.current`.
// Unchecked: `interrupted` and libedit's C state are used by one call at a time: `read` runs
// readline (and through it the key and completion callbacks) on a thread of its own, and
// `ReplLoop`, the only caller, awaits each read before it calls `remember` or reads again.
final class LineEditor: LineSource, @unchecked Sendable {
    let historyPath: String
    let completer: Completer
    /// Set by the key reader when Ctrl-C ended the line.
    private var interrupted = false

    nonisolated(unsafe) private static var current: LineEditor?
    static let historyLimit: Int32 = 1000

    var isInteractive: Bool { true }

    init(historyPath: String, completer: Completer) {
        self.historyPath = historyPath
        self.completer = completer
        Self.current = self
        setlocale(LC_CTYPE, "")
        // Before anything initializes libedit: it reads these settings once.
        crucible_set_catch_signals(0)
        crucible_set_getc(Self.readKey)
        crucible_set_completer(Self.complete)
        crucible_set_append_character(Int32(UInt8(ascii: " ")))
        using_history()
        stifle_history(Self.historyLimit)
        _ = read_history(historyPath)
    }

    func read(prompt: String) async -> LineInput {
        (try? await BlockingWork.run(name: "crucible-line-editor") { self.readBlocking(prompt: prompt) }) ?? .end
    }

    private func readBlocking(prompt: String) -> LineInput {
        interrupted = false
        // A Ctrl-C from before this prompt is spent; one pressed from here on, even after
        // Enter but before the entry starts, stops that entry.
        InterruptSignal.clear()
        InterruptSignal.readerStarted()
        defer { InterruptSignal.readerDone() }
        guard let raw = readline(prompt) else { return .end }
        defer { free(raw) }
        if interrupted { return .interrupted }
        return .line(String(cString: raw))
    }

    func remember(_ line: String) {
        guard !line.trimmed.isEmpty else { return }
        add_history(line)
        _ = write_history(historyPath)
    }

    // MARK: - C callbacks

    /// Reads one character (a UTF-8 sequence) from the terminal. A read broken by Ctrl-C
    /// ends the line with a newline and marks it abandoned.
    private static let readKey: @convention(c) (UnsafeMutablePointer<FILE>?) -> Int32 = { _ in
        guard let lead = readByte() else { return -1 }
        if lead == -2 {
            current?.interrupted = true
            _ = "^C".withCString { write(STDOUT_FILENO, $0, 2) }
            return Int32(UInt8(ascii: "\n"))
        }
        return decodeScalar(startingWith: UInt8(lead))
    }

    /// A byte, -2 for an interrupt, nil at the end of input.
    private static func readByte() -> Int? {
        var byte: UInt8 = 0
        while true {
            let count = Glibc.read(STDIN_FILENO, &byte, 1)
            if count == 1 { return Int(byte) }
            if count == 0 { return nil }
            guard errno == EINTR else { return nil }
            if InterruptSignal.take() { return -2 }
        }
    }

    /// Reads the continuation bytes of a UTF-8 sequence and returns the code point.
    private static func decodeScalar(startingWith lead: UInt8) -> Int32 {
        let extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0
        var bytes = [lead]
        for _ in 0..<extra {
            guard let next = readByte(), next >= 0 else { break }
            bytes.append(UInt8(next))
        }
        let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first
        return Int32(bitPattern: scalar?.value ?? UInt32(lead))
    }

    /// libedit's attempted-completion hook: the candidates for the word between `start`
    /// and `end` of the line, as a NULL-terminated, malloc'd array whose first entry is
    /// their common prefix (libedit frees it).
    private static let complete: @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
        -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
        guard let editor = current else { return nil }
        let word = text.map { String(cString: $0) } ?? ""
        let lineBytes = crucible_line_buffer().map { Array(String(cString: $0).utf8) } ?? []
        let before = String(decoding: lineBytes.prefix(Int(start)), as: UTF8.self)
        switch editor.completer.complete(word: word, before: before) {
        case .files:
            crucible_set_completion_over(0)
            return nil
        case .candidates(let candidates):
            crucible_set_completion_over(1)
            return cArray(candidates)
        }
    }

    private static func cArray(_ candidates: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard !candidates.isEmpty else { return nil }
        let size = MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (candidates.count + 2)
        // libedit releases the array with free(), so it must come from malloc.
        let array = malloc(size)!.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: candidates.count + 2)
        let entries = [Completer.commonPrefix(candidates)] + candidates
        for (index, entry) in entries.enumerated() { array[index] = strdup(entry) }
        array[entries.count] = nil
        return array
    }
}
