// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "claude-gate",
    products: [
        .executable(name: "claude-gate", targets: ["claude-gate"]),
        .library(name: "ClaudeGateStorage", targets: ["ClaudeGateStorage"]),
    ],
    targets: [
        // C layer: libdbus through pkg-config, and a small C target over libcrypto.
        .systemLibrary(
            name: "CDBus",
            pkgConfig: "dbus-1",
            providers: [.apt(["libdbus-1-dev"])]
        ),
        .target(
            name: "CCrypto",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // Signal handling for the CLI, in C because a handler may only store
        // to a volatile sig_atomic_t.
        .target(name: "CProcess"),

        // Swift layers, each depending only on the one below it.
        .target(name: "DBus", dependencies: ["CDBus"]),
        .target(name: "SecretService", dependencies: ["DBus", "CCrypto"]),
        .target(name: "ClaudeGateStorage", dependencies: ["SecretService", "CCrypto"]),
        .executableTarget(name: "claude-gate", dependencies: ["ClaudeGateStorage", "CProcess"]),

        // Test and fuzzing helpers; neither is part of a release.
        // claude-gate-test-writer is a child process that the crash and
        // concurrency tests start and kill.
        .executableTarget(name: "claude-gate-test-writer", dependencies: ["ClaudeGateStorage"]),
        // claude-gate-fuzz is a libFuzzer target when built with -DFUZZING
        // (scripts/fuzz.sh), and otherwise replays input files.
        .executableTarget(name: "claude-gate-fuzz", dependencies: ["ClaudeGateStorage"]),
        // In-process throughput benchmark for `make bench`; not installed.
        .executableTarget(name: "claude-gate-bench", dependencies: ["ClaudeGateStorage"]),

        .testTarget(
            name: "ClaudeGateTests",
            dependencies: ["DBus", "SecretService", "ClaudeGateStorage", "claude-gate-test-writer"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
