import Foundation

/// Many reads in one exec: read-only probe commands, then files, run by one POSIX shell.
/// Each answer is framed in both output streams by a boundary line that holds a random nonce
/// (so no file's bytes can end an answer early), followed by its exit status. The files cost
/// two processes however many there are: one `wc -c` for their sizes and one `cat` of all
/// of them, cut apart here by those sizes (a file whose size changed in between makes the
/// sum disagree, and then no file of the batch is taken).
struct ReadBatch {
    let files: [String]
    let probes: [String]
    let boundary: String

    init(files: [String], probes: [String], boundary: String = "--crucible-" + UUID().uuidString) {
        self.files = files
        self.probes = probes
        self.boundary = boundary
    }

    /// Arguments: boundary, probe count, probes, files. Probes run in a subshell so one
    /// cannot end the batch (`exit`) or change the shell the next one runs in. Then three
    /// sections: one flag per file (`1` regular and readable: in the batch; `m` missing;
    /// `s` something else, left to the op), `wc -c` of the batched files, and their bytes.
    static let script = HostScripts.readBatch

    var command: String {
        ShellQuote.command(["/bin/sh", "-c", Self.script, "crucible-read", boundary, String(probes.count)] + probes + files)
    }

    struct Answers {
        var files: [(path: String, bytes: [UInt8]?)] = []
        var probes: [(command: String, result: CommandResult)] = []
    }

    /// The answers, or nil when the output is not what the script prints (cut short, say).
    /// Files the batch did not read (a directory, no permission, a path with a line break,
    /// whose `wc` line would be ambiguous) are left out: the op reads them itself.
    func parse(_ result: CommandResult) -> Answers? {
        let count = probes.count + 3
        guard result.succeeded,
              let stdout = Self.split(result.stdout, boundary: boundary, count: count),
              let stderr = Self.split(result.stderr, boundary: boundary, count: count) else { return nil }
        var answers = Answers()
        for (index, command) in probes.enumerated() {
            answers.probes.append((command, CommandResult(stdout: stdout[index].bytes, stderr: stderr[index].bytes,
                                                          status: stdout[index].status)))
        }
        let flags = Array(String(decoding: stdout[probes.count].bytes, as: UTF8.self))
        guard flags.count == files.count else { return nil }
        let batched = zip(files, flags).filter { $0.1 == "1" }.map(\.0)
        for (path, flag) in zip(files, flags) where flag == "m" { answers.files.append((path, nil)) }
        let sizes = stdout[probes.count + 1], contents = stdout[probes.count + 2]
        guard !batched.isEmpty, sizes.status == 0, contents.status == 0,
              !batched.contains(where: { $0.unicodeScalars.contains { $0 == "\n" || $0 == "\r" } }),
              let lengths = Self.sizes(sizes.bytes, count: batched.count),
              lengths.reduce(0, +) == contents.bytes.count else { return answers }
        var offset = 0
        for (path, length) in zip(batched, lengths) {
            answers.files.append((path, Array(contents.bytes[offset..<offset + length])))
            offset += length
        }
        return answers
    }

    /// The leading numbers of the first `count` lines of `wc -c` output.
    static func sizes(_ output: [UInt8], count: Int) -> [Int]? {
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= count else { return nil }
        var sizes: [Int] = []
        for line in lines.prefix(count) {
            guard let size = Int(line.drop(while: { $0 == " " }).prefix(while: \.isNumber)) else { return nil }
            sizes.append(size)
        }
        return sizes
    }

    /// One stream cut into `count` framed answers: `B\n` BYTES `\nB STATUS\n`, in order.
    static func split(_ stream: [UInt8], boundary: String, count: Int) -> [(bytes: [UInt8], status: Int32)]? {
        let data = Data(stream)
        let opening = Data((boundary + "\n").utf8)
        let closing = Data(("\n" + boundary + " ").utf8)
        let newline = Data("\n".utf8)
        var answers: [(bytes: [UInt8], status: Int32)] = []
        var position = 0
        for _ in 0..<count {
            guard data[position...].starts(with: opening) else { return nil }
            let start = position + opening.count
            guard let end = data.range(of: closing, in: start..<data.count),
                  let lineEnd = data.range(of: newline, in: end.upperBound..<data.count),
                  let status = Int32(String(decoding: data[end.upperBound..<lineEnd.lowerBound], as: UTF8.self)) else { return nil }
            answers.append((Array(data[start..<end.lowerBound]), status))
            position = lineEnd.upperBound
        }
        return position == data.count ? answers : nil
    }
}
