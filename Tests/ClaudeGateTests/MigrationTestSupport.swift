import Foundation
import XCTest

/// Credentials the migration tests move around, in the JSON layout of
/// `auth.json`: one OAuth token set and two API keys, so that a test checks
/// whether every field survives and whether each provider is handled.
enum SampleCredentials {
    static let all: [String: [String: Any]] = [
        "anthropic": ["type": "oauth", "access": "sample-access-0123456789abcdef", "refresh": "sample-refresh",
                      "expires": 4_102_444_800],
        "openai": ["type": "api", "key": "sample-openai-key-0123456789"],
        "work": ["type": "api", "key": "sample-work-key"],
    ]

    static var providers: [String] { all.keys.sorted() }

    /// Returns the JSON text of one credential, as `secret-tool store` takes it.
    static func json(_ provider: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: all[provider]!, options: [.sortedKeys]), as: UTF8.self)
    }
}

extension CLISandbox {
    var claudeGateDirectory: String { home.appendingPathComponent(".claude-gate").path }
    var backupDirectory: String { claudeGateDirectory + "/backups" }

    /// Writes `credentials` as `~/.claude-gate/auth.json` (0600 in 0700), or
    /// at `path`.
    func writeAuthFile(_ credentials: [String: [String: Any]], path: String? = nil) throws {
        let target = path ?? authFilePath
        let directory = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try JSONSerialization.data(withJSONObject: credentials, options: [.prettyPrinted, .sortedKeys])
        XCTAssertTrue(FileManager.default.createFile(atPath: target, contents: data, attributes: [.posixPermissions: 0o600]))
    }

    /// Returns the credentials in `auth.json` (or the file at `path`), or nil when
    /// the file does not exist.
    func fileCredentials(path: String? = nil) throws -> [String: [String: Any]]? {
        guard let data = FileManager.default.contents(atPath: path ?? authFilePath) else { return nil }
        return try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]]
    }

    /// Returns the keyring's credential for `provider` under this sandbox's
    /// service name, read with secret-tool, or nil when there is none.
    func keyringCredential(_ provider: String) throws -> [String: Any]? {
        let lookup = try secretTool(["lookup", "service", serviceName, "username", provider])
        guard lookup.status == 0, !lookup.stdout.isEmpty else { return nil }
        return try JSONSerialization.jsonObject(with: lookup.stdout) as? [String: Any]
    }

    /// Stores the sample credential of `provider` in the keyring with secret-tool.
    func storeInKeyring(_ provider: String, json: String) throws {
        let store = try secretTool(["store", "--label", "test", "service", serviceName, "username", provider], stdin: json)
        XCTAssertEqual(store.status, 0, store.stderr)
    }

    /// Paths of the backup files, sorted.
    func backupFiles() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: backupDirectory)) ?? []
        return names.filter { $0.hasPrefix("credentials-") }.sorted().map { backupDirectory + "/" + $0 }
    }

    /// Starts the binary without waiting, so that a test can signal it. Its
    /// stdout is discarded, and its stderr goes to `stderrPath` or is discarded.
    func start(_ arguments: [String], extraEnvironment: [String: String] = [:], stderrPath: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.binaryPath)
        process.arguments = arguments
        process.environment = environment.merging(extraEnvironment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        if let stderrPath {
            XCTAssertTrue(FileManager.default.createFile(atPath: stderrPath, contents: nil))
            process.standardError = FileHandle(forWritingAtPath: stderrPath)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        return process
    }
}

/// Compares two credentials given as JSON objects, by their JSON text with
/// sorted keys, because NSDictionary equality on Linux does not treat a
/// Swift Int and a parsed NSNumber as equal.
func sameCredential(_ first: [String: Any]?, _ second: [String: Any]?) -> Bool {
    guard let first, let second else { return first == nil && second == nil }
    let firstText = try? JSONSerialization.data(withJSONObject: first, options: [.sortedKeys])
    let secondText = try? JSONSerialization.data(withJSONObject: second, options: [.sortedKeys])
    return firstText != nil && firstText == secondText
}

/// Returns the file mode bits of `path`.
func filePermissions(_ path: String) throws -> Int? {
    try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
}

/// Returns whether the process is stopped (state `T` in /proc/PID/stat).
func isStopped(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.lastIndex(of: ")") else { return false }
    return stat[stat.index(close, offsetBy: 2)] == "T"
}

/// Waits up to `seconds` for the process to stop itself with SIGSTOP.
/// Returns false when it exited or kept running instead.
func waitUntilStopped(_ process: Process, seconds: Double = 20) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if isStopped(process.processIdentifier) { return true }
        if !process.isRunning { return false }
        usleep(10_000)
    }
    return false
}

/// Kills the process with SIGKILL, the way a crash or power loss ends it,
/// and reaps it.
func killHard(_ process: Process) {
    if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
}
