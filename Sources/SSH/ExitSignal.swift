/// Maps the signal name of an SSH `exit-signal` to a shell-style exit status (128 + N),
/// the way `LocalTransport` and shells report a killed command.
enum ExitSignal {
    private static let numbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9,
        "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
    ]

    static func status(for name: String) -> Int32 {
        128 + (numbers[name.uppercased()] ?? 0)
    }
}
