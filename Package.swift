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

        // In-process throughput benchmark for `make bench`; not installed.
        .executableTarget(name: "claude-gate-bench", dependencies: ["ClaudeGateStorage"]),

        .testTarget(
            name: "ClaudeGateTests",
            dependencies: ["DBus", "SecretService", "ClaudeGateStorage"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
