import Foundation
import XCTest

/// Runs every command with known secrets and scans everything a person or
/// another process could see for them: stdout, stderr, the --dump-dbus text,
/// the pcap capture and /proc/PID/cmdline. Two places are exempt because
/// they are where the secret is meant to go: the stdout of `auth token` and
/// the environment of the command that `exec` starts.
///
/// The scan looks for every 8-character piece of each secret, as UTF-8,
/// lowercase hex and base64, so that the masked value of `auth status` (at
/// most 4 characters at each end) passes and any longer piece fails.
final class SecretLeakTests: XCTestCase {
    private struct Secrets {
        let apiKey = "sk-ant-leak-\(UUID().uuidString)-api"
        let accessToken = "oauth-leak-access-\(UUID().uuidString)"
        let refreshToken = "oauth-leak-refresh-\(UUID().uuidString)"

        var all: [String] { [apiKey, accessToken, refreshToken] }
    }

    /// Whether the commands of the running test talk to D-Bus and so write
    /// a capture when given `--dump-dbus=pcap:FILE`.
    private var capturesExpected = false

    func testKeyringDHSessionLeaksNoSecret() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try runEveryCommand(sandbox, environment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring"], usesDBus: true)
    }

    func testKeyringPlainSessionLeaksNoSecret() throws {
        // A plain session carries the secret unencrypted on the bus, so the
        // dump and the capture would show it if redaction failed.
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try runEveryCommand(sandbox, environment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring",
                                                   "CLAUDE_GATE_SECRET_SESSION": "plain"], usesDBus: true)
    }

    func testFileStorageLeaksNoSecret() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        try runEveryCommand(sandbox, environment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"], usesDBus: false)
    }

    func testScanFindsPlantedSecret() {
        // The scan itself must be able to fail.
        let secrets = Secrets()
        let planted = Data("prefix \(secrets.apiKey.dropFirst(10).prefix(8)) suffix".utf8)
        XCTAssertFalse(findLeaks(of: secrets, in: planted).isEmpty)
        let hex = Data(secrets.refreshToken.utf8.map { String(format: "%02x", $0) }.joined().utf8)
        XCTAssertFalse(findLeaks(of: secrets, in: hex).isEmpty)
        XCTAssertTrue(findLeaks(of: secrets, in: Data("sk-a...-api".utf8)).isEmpty)
    }

    // MARK: - The commands

    /// Runs every command. With `usesDBus`, each command must also have
    /// written a capture, so that a capture that is never written cannot
    /// pass the scan.
    private func runEveryCommand(_ sandbox: CLISandbox, environment: [String: String], usesDBus: Bool) throws {
        let secrets = Secrets()
        capturesExpected = usesDBus
        let capture = sandbox.home.appendingPathComponent("capture.pcap").path
        let dumpText = ["--dump-dbus", "--verbose"]
        let dumpPcap = ["--dump-dbus=pcap:\(capture)"]

        // Logging in: scanned while claude-gate waits with the secret read
        // but standard input still open, and again after it exits.
        try runWithInput(sandbox, dumpText + ["auth", "login"], input: secrets.apiKey + "\n",
                         environment: environment, secrets: secrets)
        let oauth = "{\"access\":\"\(secrets.accessToken)\",\"refresh\":\"\(secrets.refreshToken)\",\"expires\":4102444800}"
        try runWithInput(sandbox, dumpPcap + ["auth", "login", "--oauth", "--provider", "example"], input: oauth,
                         environment: environment, secrets: secrets)
        try checkCapture(capture, secrets: secrets, label: "auth login --oauth")

        for arguments in [["auth", "token"], ["auth", "token", "--provider", "example"]] {
            for flags in [dumpText, dumpPcap] {
                let result = try sandbox.run(flags + arguments, extraEnvironment: environment)
                XCTAssertEqual(result.status, 0, "\(arguments): \(result.stderr)")
                XCTAssertTrue(result.stdoutText.hasSuffix("\n"), "auth token printed no line")
                // stdout is where auth token puts the secret; stderr is not.
                assertNoLeaks(of: secrets, in: Data(result.stderr.utf8), label: "stderr of \(flags + arguments)")
                if flags == dumpPcap {
                    try checkCapture(capture, secrets: secrets, label: (flags + arguments).joined(separator: " "))
                }
            }
        }

        for arguments in [["auth", "status"], ["auth", "status", "--json"], ["auth", "storage", "status"],
                          ["auth", "storage", "status", "--json"], ["auth", "storage", "test"]] {
            for flags in [dumpText, dumpPcap] {
                let result = try sandbox.run(flags + arguments, extraEnvironment: environment.merging(
                    ["CLAUDE_GATE_DEBUG": "1"]) { $1 })
                let label = (flags + arguments).joined(separator: " ")
                XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
                assertNoLeaks(of: secrets, in: result.stdout, label: "stdout of \(label)")
                assertNoLeaks(of: secrets, in: Data(result.stderr.utf8), label: "stderr of \(label)")
                if flags == dumpPcap {
                    try checkCapture(capture, secrets: secrets, label: label)
                }
            }
        }

        try runExec(sandbox, flags: dumpText, environment: environment, secrets: secrets)
        try runExec(sandbox, flags: dumpPcap, environment: environment, secrets: secrets)
        try checkCapture(capture, secrets: secrets, label: "exec")

        let logout = try sandbox.run(dumpText + ["auth", "logout"], extraEnvironment: environment)
        XCTAssertEqual(logout.status, 0, logout.stderr)
        assertNoLeaks(of: secrets, in: logout.stdout + Data(logout.stderr.utf8), label: "auth logout")
    }

    /// Runs a command that reads `input`, and scans its command line and
    /// environment while it runs and its output after it exits.
    private func runWithInput(_ sandbox: CLISandbox, _ arguments: [String], input: String,
                              environment: [String: String], secrets: Secrets) throws {
        let running = try start(sandbox, arguments, environment: environment)
        running.input.fileHandleForWriting.write(Data(input.utf8))
        let pid = running.process.processIdentifier
        XCTAssertTrue(waitUntil { processName(pid) == "claude-gate" }, "claude-gate did not start")
        // A short pause lets claude-gate read the input it has been given.
        usleep(200_000)
        scanProcessFiles(pid: pid, secrets: secrets, label: arguments.joined(separator: " "))

        try running.input.fileHandleForWriting.close()
        let result = running.finish()
        let label = arguments.joined(separator: " ")
        XCTAssertEqual(result.status, 0, "\(label): \(result.stderr)")
        assertNoLeaks(of: secrets, in: result.stdout + Data(result.stderr.utf8), label: label)
    }

    /// Runs `exec` with a child that sleeps, and scans the child's command
    /// line while it runs. The child's environment must contain the key,
    /// which shows that the scan would find it there.
    private func runExec(_ sandbox: CLISandbox, flags: [String], environment: [String: String],
                         secrets: Secrets) throws {
        let arguments = flags + ["exec", "--", "/bin/sleep", "1"]
        let running = try start(sandbox, arguments, environment: environment)
        try running.input.fileHandleForWriting.close()
        let pid = running.process.processIdentifier

        if waitUntil({ processName(pid) == "sleep" }) {
            let commandLine = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            assertNoLeaks(of: secrets, in: commandLine, label: "/proc/PID/cmdline of the exec child")
            let childEnvironment = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))) ?? Data()
            XCTAssertFalse(findLeaks(of: secrets, in: childEnvironment).isEmpty,
                           "the exec child's environment has no credential, so the scan proves nothing")
        } else {
            XCTFail("exec did not start sleep")
        }

        let result = running.finish()
        XCTAssertEqual(result.status, 0, "exec: \(result.stderr)")
        assertNoLeaks(of: secrets, in: result.stdout + Data(result.stderr.utf8), label: arguments.joined(separator: " "))
    }

    // MARK: - Scanning

    private func scanProcessFiles(pid: Int32, secrets: Secrets, label: String) {
        if let commandLine = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) {
            assertNoLeaks(of: secrets, in: commandLine, label: "/proc/PID/cmdline of \(label)")
        } else {
            XCTFail("\(label): /proc/\(pid)/cmdline could not be read")
        }
        // claude-gate makes itself not dumpable, and then only root can
        // read its environment. Without root there is nothing to scan.
        if let environment = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")) {
            assertNoLeaks(of: secrets, in: environment, label: "/proc/PID/environ of \(label)")
        }
    }

    private func checkCapture(_ path: String, secrets: Secrets, label: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            XCTAssertFalse(capturesExpected, "\(label) wrote no capture to \(path)")
            return
        }
        let capture = try Data(contentsOf: URL(fileURLWithPath: path))
        assertNoLeaks(of: secrets, in: capture, label: "pcap capture of \(label)")
        try FileManager.default.removeItem(atPath: path)
    }

    private func assertNoLeaks(of secrets: Secrets, in data: Data, label: String,
                               file: StaticString = #filePath, line: UInt = #line) {
        let leaks = findLeaks(of: secrets, in: data)
        XCTAssertTrue(leaks.isEmpty, "\(label) contains \(leaks.prefix(3)) of a secret", file: file, line: line)
    }

    /// Returns the pieces of any secret found in `data`, each with its encoding.
    private func findLeaks(of secrets: Secrets, in data: Data) -> [String] {
        var leaks: [String] = []
        for secret in secrets.all {
            let characters = Array(secret)
            for start in 0...(characters.count - 8) {
                let piece = String(characters[start..<(start + 8)])
                let encodings = [
                    ("text", Data(piece.utf8)),
                    ("hex", Data(piece.utf8.map { String(format: "%02x", $0) }.joined().utf8)),
                ]
                for (name, encoded) in encodings where data.range(of: encoded) != nil {
                    leaks.append("\(name) '\(piece)'")
                }
            }
            // Base64 is checked for the whole secret only, because its
            // pieces do not align with the pieces of the text.
            if data.range(of: Data(Data(secret.utf8).base64EncodedString().utf8)) != nil {
                leaks.append("base64 of the whole secret")
            }
        }
        return leaks
    }

    // MARK: - Processes

    private struct RunningProcess {
        var process: Process
        var input: Pipe
        var output: Pipe
        var errors: Pipe

        /// Waits for the process to exit and returns its output. The
        /// commands here write far less than a pipe buffer, so reading
        /// after the exit cannot block the process.
        func finish() -> CLIResult {
            process.waitUntilExit()
            let stdout = output.fileHandleForReading.readDataToEndOfFile()
            let stderr = errors.fileHandleForReading.readDataToEndOfFile()
            return CLIResult(status: process.terminationStatus, stdout: stdout,
                             stderr: String(decoding: stderr, as: UTF8.self))
        }
    }

    private func start(_ sandbox: CLISandbox, _ arguments: [String], environment: [String: String]) throws -> RunningProcess {
        let binary = TestEnvironment.binaryPath
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("claude-gate is not built at \(binary): run 'swift build' first (make test does)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = sandbox.environment.merging(environment) { $1 }
        let running = RunningProcess(process: process, input: Pipe(), output: Pipe(), errors: Pipe())
        process.standardInput = running.input
        process.standardOutput = running.output
        process.standardError = running.errors
        try process.run()
        return running
    }
}
