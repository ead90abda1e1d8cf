// swift-tools-version:6.1
import PackageDescription

// Layers depend downwards only: DSL <- Interpreter <- Stdlib <- crucible-sh.
// HostIO (the Transport protocol, the local transport, atomic writes, path checks, quoting)
// sits below the interpreter; the SSH transport (on libssh2) depends on HostIO alone.
// Each target lists exactly the modules its files import (checked with grep, not inherited
// through another target).
let package = Package(
    name: "crucible",
    // Built and tested on Linux only: Debian 12 with the swift.org toolchain, in CI (.ci/run)
    // and on the developers' machines. macOS is not built anywhere: the code imports Glibc and
    // reads /proc, and its Mutex needs macOS 15, so the floor below is SwiftPM's required
    // field, not a claim that crucible builds there.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crucible-sh", targets: ["crucible-sh"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(name: "DSL"),
        .target(name: "HostIO", exclude: ["HostScripts"]),
        .target(
            name: "Interpreter",
            dependencies: [
                "DSL", "HostIO",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            // The host scripts' sources: scripts/gen-host-scripts compiles them into HostScripts.swift.
            exclude: ["HostScripts"]
        ),
        .target(
            name: "Stdlib",
            dependencies: [
                "Interpreter",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            exclude: ["HostScripts"]
        ),
        .target(name: "SSH", dependencies: ["HostIO", "CLibSSH2"]),
        .executableTarget(
            name: "crucible-sh",
            dependencies: [
                "DSL", "Interpreter", "Stdlib", "SSH", "CLibEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The text engines' microbenchmarks (benchmarks/RESULTS.md): ops planned on files in memory.
        .executableTarget(name: "crucible-textbench", dependencies: ["Interpreter", "Stdlib"], path: "benchmarks/textbench"),
        // Starts and stops sandbox hosts (scripts/sandbox) for the tests that need real SSH.
        .target(name: "TestSupport", dependencies: ["Interpreter"], path: "Tests/TestSupport"),
        .testTarget(name: "DSLTests", dependencies: ["DSL"]),
        .testTarget(name: "InterpreterTests", dependencies: ["Interpreter", "Stdlib", "DSL", "TestSupport"]),
        .testTarget(
            name: "StdlibTests",
            dependencies: [
                "Stdlib", "Interpreter", "TestSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(name: "SSHTests", dependencies: ["SSH", "Interpreter", "TestSupport", "CLibSSH2"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Interpreter", "Stdlib", "SSH", "DSL", "TestSupport"], exclude: ["Golden"]),
    ]
)
