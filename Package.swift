// swift-tools-version:6.0
import PackageDescription

// Links an executable without libdbus-1, which the forwarding functions in
// CDBusLoader open with dlopen. build-support/link-lazy-libraries.cfg
// explains why that takes a clang configuration file.
let linkWithoutLazyLibraries: [LinkerSetting] = [
    .unsafeFlags(["-Xclang-linker", "--config=\(Context.packageDirectory)/build-support/link-lazy-libraries.cfg"]),
]

let package = Package(
    name: "claude-gate",
    products: [
        .executable(name: "claude-gate", targets: ["claude-gate"]),
        .library(name: "ClaudeGateStorage", targets: ["ClaudeGateStorage"]),
    ],
    targets: [
        // C layer: the libdbus headers through pkg-config, and a small C
        // target over libcrypto. Neither library is linked: CDBusLoader and
        // CCrypto define forwarding functions that open them with dlopen on
        // first use, through CLazyLoading.
        .systemLibrary(
            name: "CDBus",
            pkgConfig: "dbus-1",
            providers: [.apt(["libdbus-1-dev"])]
        ),
        .target(name: "CLazyLoading"),
        .target(name: "CDBusLoader", dependencies: ["CDBus", "CLazyLoading"]),
        .target(name: "CCrypto", dependencies: ["CLazyLoading"]),
        // Signal handling and process hardening for the CLI, in C: a signal
        // handler may only store to a volatile sig_atomic_t, and Swift does
        // not import the variadic prctl(2).
        .target(name: "CProcess"),

        // Swift layers, each depending only on the one below it.
        .target(name: "DBus", dependencies: ["CDBus", "CDBusLoader"]),
        .target(name: "SecretService", dependencies: ["DBus", "CCrypto"]),
        .target(name: "ClaudeGateStorage", dependencies: ["SecretService", "CCrypto"]),
        // The CLI's pure command-line parsing, a library so that a fuzz target can link it.
        .target(name: "ClaudeGateCLI", dependencies: ["ClaudeGateStorage", "SecretService"]),
        .executableTarget(name: "claude-gate", dependencies: ["ClaudeGateCLI", "ClaudeGateStorage", "CProcess"],
                         linkerSettings: linkWithoutLazyLibraries),

        // Test and fuzzing helpers; neither is part of a release.
        // claude-gate-test-writer is a child process that the crash and
        // concurrency tests start and kill.
        .executableTarget(name: "claude-gate-test-writer", dependencies: ["ClaudeGateStorage"]),
        // claude-gate-fuzz is a libFuzzer target when built with -DFUZZING
        // (scripts/fuzz.sh), and otherwise replays input files.
        .executableTarget(name: "claude-gate-fuzz", dependencies: ["ClaudeGateStorage"]),
        // In-process throughput benchmark for `make bench`; not installed.
        .executableTarget(name: "claude-gate-bench", dependencies: ["ClaudeGateStorage"]),

        // libFuzzer targets for `make fuzz`. A normal build makes them replay
        // tools that run the files given as arguments through the same code.
        .target(name: "ClaudeGateFuzzing",
                dependencies: ["DBus", "SecretService", "ClaudeGateCLI", "ClaudeGateStorage"]),
        .executableTarget(name: "FuzzDBusMessage", dependencies: ["ClaudeGateFuzzing"]),
        .executableTarget(name: "FuzzCommandLine", dependencies: ["ClaudeGateFuzzing"]),

        .testTarget(
            name: "ClaudeGateTests",
            dependencies: ["DBus", "SecretService", "ClaudeGateStorage", "claude-gate-test-writer", "ClaudeGateFuzzing"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
