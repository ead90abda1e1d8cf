import ArgumentParser
import Foundation

/// `crucible-sh manual`: prints the man page (hidden; `make install` uses it).
struct Manual: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print crucible-sh's man page (mdoc) on standard output.",
        shouldDisplay: false
    )

    func run() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--experimental-dump-help"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let dump = try JSONDecoder().decode(ManualPage.Dump.self, from: data)
        print(ManualPage.render(dump, version: Crucible.version), terminator: "")
    }
}
