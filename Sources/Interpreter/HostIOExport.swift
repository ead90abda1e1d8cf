// The interpreter's users (the standard library, the command line, tests) see the host I/O
// layer below it (`Transport`, `HostTarget`, `ShellQuote`...) through it, as before HostIO
// was a module of its own.
@_exported import HostIO
