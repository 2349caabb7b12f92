import Foundation
import XCTest

/// Runs the `claude-gate` binary in `.build/debug` for `exec` and
/// `auth token`, with a temporary HOME per test. `swift test` builds the
/// binary along with the tests.
///
/// Most cases use the file backend. The keyring cases run only under
/// `scripts/test-keyring.sh`, which sets `CLAUDE_GATE_TEST_BUS_ADDRESS` to a
/// private bus with an unlocked gnome-keyring; elsewhere they are skipped.
final class ExecCommandTests: XCTestCase {
    private var temporaryDirectory = ""
    private var homeDirectory: String { temporaryDirectory + "/home" }
    private var authFilePath: String { homeDirectory + "/.claude-gate/auth.json" }
    /// A file the child command creates, so a test can tell whether it started.
    private var markerPath: String { temporaryDirectory + "/child-started" }
    /// The keyring service name of this test, so that no two tests share items.
    private var keyringService = ""
    private var usesKeyring = false

    override func setUpWithError() throws {
        var template = Array((NSTemporaryDirectory() + "/claude-gate-exec-test.XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else {
            throw SetupError(description: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        temporaryDirectory = String(cString: path)
        try FileManager.default.createDirectory(atPath: homeDirectory, withIntermediateDirectories: false)
        keyringService = "claude-gate-exec-test-\(UUID().uuidString)"

        guard FileManager.default.isExecutableFile(atPath: Self.binaryPath) else {
            throw SetupError(description: "\(Self.binaryPath) does not exist: run 'swift build' before 'swift test'")
        }
    }

    override func tearDownWithError() throws {
        if usesKeyring {
            _ = try? runClaudeGate(["auth", "logout"], environment: keyringEnvironment())
        }
        if !temporaryDirectory.isEmpty {
            try? FileManager.default.removeItem(atPath: temporaryDirectory)
        }
    }

    // MARK: - exec: the variable and its value

    func testExecPassesAPIKeyInDefaultVariable() throws {
        let key = Self.makeSecret()
        try writeAuthFile(["anthropic": ["type": "api", "key": key]])

        let result = try runClaudeGate(["exec", "--", "/usr/bin/env"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutLines.contains("ANTHROPIC_API_KEY=\(key)"), result.stdout)
        XCTAssertFalse(result.stdout.contains("ANTHROPIC_AUTH_TOKEN="))
    }

    func testExecPassesOAuthTokenInAuthTokenVariable() throws {
        let access = Self.makeSecret()
        let refresh = Self.makeSecret()
        try writeOAuthCredential(access: access, refresh: refresh, expiresIn: 3600)

        let result = try runClaudeGate(["exec", "--", "/usr/bin/env"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutLines.contains("ANTHROPIC_AUTH_TOKEN=\(access)"), result.stdout)
        XCTAssertFalse(result.stdout.contains("ANTHROPIC_API_KEY="))
        XCTAssertFalse(result.stdout.contains(refresh), "the refresh token must not reach the command")
    }

    func testExecEnvOptionRenamesVariable() throws {
        let key = Self.makeSecret()
        try writeAuthFile(["anthropic": ["type": "api", "key": key]])

        let result = try runClaudeGate(["exec", "--env", "MY_TOOL_KEY", "--", "/usr/bin/env"],
                                       environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutLines.contains("MY_TOOL_KEY=\(key)"), result.stdout)
        XCTAssertFalse(result.stdout.contains("ANTHROPIC_API_KEY="))
    }

    func testExecProviderOptionSelectsCredential() throws {
        let anthropicKey = Self.makeSecret()
        let otherKey = Self.makeSecret()
        try writeAuthFile(["anthropic": ["type": "api", "key": anthropicKey],
                           "other": ["type": "api", "key": otherKey]])

        let result = try runClaudeGate(["exec", "--provider", "other", "--", "/usr/bin/env"],
                                       environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutLines.contains("ANTHROPIC_API_KEY=\(otherKey)"), result.stdout)
        XCTAssertFalse(result.stdout.contains(anthropicKey))
    }

    func testExecRejectsInvalidVariableNames() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])

        for name in ["", "1KEY", "MY-KEY", "A=B", "KEY NAME", "KÉY"] {
            let result = try runClaudeGate(["exec", "--env", name, "--"] + touchMarkerCommand(),
                                           environment: fileEnvironment())
            XCTAssertEqual(result.status, 2, "--env '\(name)': \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("invalid environment variable name"), result.stderr)
            XCTAssertFalse(markerExists, "--env '\(name)' started the command")
        }
    }

    func testExecReplacesInheritedVariableWithNote() throws {
        let key = Self.makeSecret()
        let staleValue = "stale-value-\(UUID().uuidString)"
        try writeAuthFile(["anthropic": ["type": "api", "key": key]])
        var environment = fileEnvironment()
        environment["ANTHROPIC_API_KEY"] = staleValue

        let result = try runClaudeGate(["exec", "--", "/usr/bin/env"], environment: environment)

        XCTAssertEqual(result.status, 0, result.stderr)
        let entries = result.stdoutLines.filter { $0.hasPrefix("ANTHROPIC_API_KEY=") }
        XCTAssertEqual(entries, ["ANTHROPIC_API_KEY=\(key)"])
        XCTAssertTrue(result.stderr.contains("note: ANTHROPIC_API_KEY is already set"), result.stderr)
        XCTAssertFalse(result.stderr.contains(key))
        XCTAssertFalse(result.stderr.contains(staleValue))
    }

    func testExecPassesArgumentsUnchanged() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])
        let arguments = ["a b", "--help", "--verbose", "", "--", "*"]

        let result = try runClaudeGate(["exec", "--", "/bin/sh", "-c", "printf '[%s]\\n' \"$@\"", "sh"] + arguments,
                                       environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutLines, arguments.map { "[\($0)]" })
    }

    // MARK: - exec: the process, its status and its signals

    func testExecKeepsProcessID() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])

        let result = try runClaudeGate(["exec", "--", "/bin/sh", "-c", "echo $$"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdoutLines, [String(result.processID)],
                       "the command should replace claude-gate rather than run as its child")
    }

    func testExecReturnsCommandExitStatus() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])

        for status: Int32 in [0, 3, 42] {
            let result = try runClaudeGate(["exec", "--", "/bin/sh", "-c", "exit \(status)"],
                                           environment: fileEnvironment())
            XCTAssertEqual(result.terminationReason, .exit, "exit \(status)")
            XCTAssertEqual(result.status, status, result.stderr)
            XCTAssertEqual(result.stderr, "", "exit \(status)")
        }
    }

    func testExecReturnsCommandSignal() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])

        // SIGINT is left out because a shell that runs the tests in the
        // background may start them with SIGINT ignored.
        for (name, number) in [("TERM", SIGTERM), ("KILL", SIGKILL)] {
            let result = try runClaudeGate(["exec", "--", "/bin/sh", "-c", "kill -\(name) $$"],
                                           environment: fileEnvironment())
            XCTAssertEqual(result.terminationReason, .uncaughtSignal, "SIG\(name)")
            XCTAssertEqual(result.status, number, "SIG\(name)")
        }
    }

    // MARK: - exec: where the secret must not appear

    func testExecSecretNotInOutputOrArguments() throws {
        let key = Self.makeSecret()
        try writeAuthFile(["anthropic": ["type": "api", "key": key]])
        let cmdlinePath = temporaryDirectory + "/cmdline"
        let environPath = temporaryDirectory + "/environ"
        let script = "cat /proc/$$/cmdline > '\(cmdlinePath)'; cat /proc/$$/environ > '\(environPath)'"

        let result = try runClaudeGate(["--verbose", "exec", "--", "/bin/sh", "-c", script],
                                       environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "")
        XCTAssertFalse(result.stderr.contains(key), result.stderr)
        let cmdline = try Data(contentsOf: URL(fileURLWithPath: cmdlinePath))
        let environ = try Data(contentsOf: URL(fileURLWithPath: environPath))
        XCTAssertFalse(cmdline.isEmpty)
        XCTAssertNil(cmdline.range(of: Data(key.utf8)), "the secret is in /proc/PID/cmdline")
        // The same check on the environment must find the secret, so the
        // check on cmdline above could have failed.
        XCTAssertNotNil(environ.range(of: Data("ANTHROPIC_API_KEY=\(key)".utf8)))
    }

    func testExecWritesNoFile() throws {
        let key = Self.makeSecret()
        try writeAuthFile(["anthropic": ["type": "api", "key": key]])
        let before = try filesUnder(temporaryDirectory)

        let result = try runClaudeGate(["exec", "--", "/bin/true"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try filesUnder(temporaryDirectory), before)
        for path in before where !path.hasSuffix("/auth.json") && !isDirectory(path) {
            let contents = try Data(contentsOf: URL(fileURLWithPath: path))
            XCTAssertNil(contents.range(of: Data(key.utf8)), "the secret is in \(path)")
        }
    }

    // MARK: - exec: cases that leave the command unstarted

    func testExecRejectsExpiredOAuthToken() throws {
        let access = Self.makeSecret()
        try writeOAuthCredential(access: access, expiresIn: -60)

        let result = try runClaudeGate(["exec", "--"] + touchMarkerCommand(), environment: fileEnvironment())

        XCTAssertEqual(result.status, 7, result.stderr)
        XCTAssertFalse(markerExists, "the command started with an expired token")
        XCTAssertTrue(result.stderr.contains("expired"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--allow-expired"), result.stderr)
        XCTAssertFalse(result.stderr.contains(access))
        XCTAssertEqual(result.stdout, "")
    }

    func testExecAllowExpiredPassesExpiredToken() throws {
        let access = Self.makeSecret()
        try writeOAuthCredential(access: access, expiresIn: -60)

        let result = try runClaudeGate(["exec", "--allow-expired", "--", "/usr/bin/env"],
                                       environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutLines.contains("ANTHROPIC_AUTH_TOKEN=\(access)"))
        XCTAssertTrue(result.stderr.contains("warning:"), result.stderr)
        XCTAssertFalse(result.stderr.contains(access))
    }

    func testExecWarnsAboutTokenNearExpiry() throws {
        let access = Self.makeSecret()
        try writeOAuthCredential(access: access, expiresIn: 120)

        let result = try runClaudeGate(["exec", "--", "/usr/bin/env"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdoutLines.contains("ANTHROPIC_AUTH_TOKEN=\(access)"))
        XCTAssertTrue(result.stderr.contains("warning: the OAuth access token for 'anthropic' expires at"),
                      result.stderr)
    }

    func testExecMissingCredentialSkipsCommand() throws {
        try writeAuthFile(["other": ["type": "api", "key": Self.makeSecret()]])

        let result = try runClaudeGate(["exec", "--"] + touchMarkerCommand(), environment: fileEnvironment())

        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertFalse(markerExists)
        XCTAssertTrue(result.stderr.contains("no credential stored for 'anthropic'"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testExecUnusableKeyringSkipsCommand() throws {
        let environment = missingBusEnvironment(storageType: "keyring")

        let result = try runClaudeGate(["exec", "--"] + touchMarkerCommand(), environment: environment)

        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertFalse(markerExists)
        XCTAssertTrue(result.stderr.contains("the keyring is not usable"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testExecCommandNotFoundExits127() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])

        let byName = try runClaudeGate(["exec", "--", "claude-gate-no-such-command"], environment: fileEnvironment())
        let byPath = try runClaudeGate(["exec", "--", temporaryDirectory + "/no-such-command"],
                                       environment: fileEnvironment())

        XCTAssertEqual(byName.status, 127, byName.stderr)
        XCTAssertTrue(byName.stderr.contains("'claude-gate-no-such-command' not found"), byName.stderr)
        XCTAssertEqual(byPath.status, 127, byPath.stderr)
        XCTAssertTrue(byPath.stderr.contains("not found"), byPath.stderr)
    }

    func testExecLooksUpCommandBeforeCredential() throws {
        // No credential is stored, yet the missing command is what fails.
        let result = try runClaudeGate(["exec", "--", "claude-gate-no-such-command"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 127, result.stderr)
    }

    func testExecNonExecutableCommandExits126() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])
        let scriptPath = temporaryDirectory + "/not-executable"
        try "#!/bin/sh\ntouch '\(markerPath)'\n".write(toFile: scriptPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: scriptPath)

        let file = try runClaudeGate(["exec", "--", scriptPath], environment: fileEnvironment())
        let directory = try runClaudeGate(["exec", "--", temporaryDirectory], environment: fileEnvironment())

        XCTAssertEqual(directory.status, 126, directory.stderr)
        XCTAssertTrue(directory.stderr.contains("is a directory"), directory.stderr)
        XCTAssertFalse(markerExists)
        // Linux lets root execute a file only when at least one execute bit
        // is set, and 0644 sets none, so this holds when the tests run as root.
        XCTAssertEqual(file.status, 126, file.stderr)
    }

    func testExecWithoutSeparatorIsUsageError() throws {
        try writeAuthFile(["anthropic": ["type": "api", "key": Self.makeSecret()]])

        let withoutSeparator = try runClaudeGate(["exec", "/usr/bin/touch", markerPath], environment: fileEnvironment())
        let withoutCommand = try runClaudeGate(["exec", "--"], environment: fileEnvironment())

        XCTAssertEqual(withoutSeparator.status, 2, withoutSeparator.stderr)
        XCTAssertTrue(withoutSeparator.stderr.contains("missing '--'"), withoutSeparator.stderr)
        XCTAssertFalse(markerExists)
        XCTAssertEqual(withoutCommand.status, 2, withoutCommand.stderr)
    }

    func testExecHelpNamesDefaultVariables() throws {
        let result = try runClaudeGate(["exec", "--help"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("ANTHROPIC_API_KEY"))
        XCTAssertTrue(result.stdout.contains("ANTHROPIC_AUTH_TOKEN"))
        XCTAssertTrue(result.stdout.contains("127"))
    }

    // MARK: - auth token: the helper interface

    func testAuthTokenPrintsOnlyAPIKey() throws {
        let key = Self.makeSecret()
        let login = try runClaudeGate(["auth", "login"], environment: fileEnvironment(), input: key + "\n")
        XCTAssertEqual(login.status, 0, login.stderr)

        let result = try runClaudeGate(["auth", "token"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, key + "\n")
    }

    func testAuthTokenPrintsOnlyOAuthAccessToken() throws {
        let access = Self.makeSecret()
        try writeOAuthCredential(access: access, expiresIn: 3600)

        let result = try runClaudeGate(["auth", "token"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, access + "\n")
    }

    func testAuthTokenExpiredPrintsTokenAndWarns() throws {
        let access = Self.makeSecret()
        try writeOAuthCredential(access: access, expiresIn: -60)

        let result = try runClaudeGate(["auth", "token"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, access + "\n")
        XCTAssertTrue(result.stderr.contains("expired"), result.stderr)
    }

    func testAuthTokenMissingCredentialPrintsNothing() throws {
        let result = try runClaudeGate(["auth", "token"], environment: fileEnvironment())

        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("no credential stored"), result.stderr)
    }

    func testAuthTokenUnusableKeyringPrintsNothing() throws {
        let environment = missingBusEnvironment(storageType: "keyring")

        let result = try runClaudeGate(["auth", "token"], environment: environment)

        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testAuthTokenFileFallbackKeepsStdoutExact() throws {
        let key = Self.makeSecret()
        try writeAuthFile(["anthropic": ["type": "api", "key": key]])
        let environment = missingBusEnvironment(storageType: "auto")

        let result = try runClaudeGate(["auth", "token"], environment: environment)

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, key + "\n")
        XCTAssertTrue(result.stderr.contains("warning:"), "the fallback warning belongs on stderr")
    }

    // MARK: - Keyring

    func testKeyringExecPassesStoredKey() throws {
        let environment = try keyringEnvironment()
        let key = Self.makeSecret()
        let login = try runClaudeGate(["auth", "login"], environment: environment, input: key + "\n")
        XCTAssertEqual(login.status, 0, login.stderr)
        let valuePath = temporaryDirectory + "/value"
        let script = "printenv ANTHROPIC_API_KEY > '\(valuePath)'"

        let result = try runClaudeGate(["--verbose", "--dump-dbus", "exec", "--", "/bin/sh", "-c", script],
                                       environment: environment)

        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try String(contentsOfFile: valuePath, encoding: .utf8), key + "\n")
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("Hello"), "the D-Bus dump should be on stderr")
        XCTAssertFalse(result.stderr.contains(key), "the secret is in the --verbose --dump-dbus output")
        XCTAssertTrue(result.stderr.contains("member=org.freedesktop.Secret.Session.Close"),
                      "the Secret Service session should be closed before the exec")
    }

    func testKeyringExecLeavesNoBusSocketOpen() throws {
        let environment = try keyringEnvironment()
        let login = try runClaudeGate(["auth", "login"], environment: environment, input: Self.makeSecret() + "\n")
        XCTAssertEqual(login.status, 0, login.stderr)
        // Prints the number of each descriptor that is a socket.
        let listSockets = ["/bin/sh", "-c",
                           "for fd in /proc/$$/fd/*; do case $(readlink \"$fd\") in socket:*) echo ${fd##*/};; esac; done"]

        // Each child that Foundation's Process starts here already has a
        // socket that claude-gate did not open, so the list is compared
        // with that of a direct start.
        let direct = try runProcess(listSockets[0], Array(listSockets.dropFirst()), environment: environment)
        let throughExec = try runClaudeGate(["exec", "--"] + listSockets, environment: environment)

        XCTAssertEqual(throughExec.status, 0, throughExec.stderr)
        XCTAssertEqual(throughExec.stdoutLines, direct.stdoutLines,
                       "socket descriptors through exec differ from those of a direct start")
    }

    func testKeyringExecKeepsIgnoredSignals() throws {
        let environment = try keyringEnvironment()
        let login = try runClaudeGate(["auth", "login"], environment: environment, input: Self.makeSecret() + "\n")
        XCTAssertEqual(login.status, 0, login.stderr)
        let readMask = ["/bin/sh", "-c", "grep '^SigIgn:' /proc/$$/status"]

        // The same command started directly shows the dispositions the
        // command should inherit. libdbus must not have changed them.
        let direct = try runProcess(readMask[0], Array(readMask.dropFirst()), environment: environment)
        let throughExec = try runClaudeGate(["exec", "--"] + readMask, environment: environment)

        XCTAssertEqual(throughExec.status, 0, throughExec.stderr)
        XCTAssertTrue(direct.stdout.hasPrefix("SigIgn:"), direct.stdout)
        XCTAssertEqual(throughExec.stdout, direct.stdout)
    }

    func testKeyringAuthTokenPrintsOnlySecret() throws {
        let environment = try keyringEnvironment()
        let key = Self.makeSecret()
        let login = try runClaudeGate(["auth", "login"], environment: environment, input: key + "\n")
        XCTAssertEqual(login.status, 0, login.stderr)

        let found = try runClaudeGate(["auth", "token"], environment: environment)
        let missing = try runClaudeGate(["auth", "token", "--provider", "absent"], environment: environment)

        XCTAssertEqual(found.status, 0, found.stderr)
        XCTAssertEqual(found.stdout, key + "\n")
        XCTAssertEqual(missing.status, 3, missing.stderr)
        XCTAssertEqual(missing.stdout, "")
    }

    func testKeyringExecMissingCredentialSkipsCommand() throws {
        let environment = try keyringEnvironment()

        let result = try runClaudeGate(["exec", "--"] + touchMarkerCommand(), environment: environment)

        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertFalse(markerExists)
    }

    // MARK: - Helpers

    private struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    private struct RunResult {
        var status: Int32
        var terminationReason: Process.TerminationReason
        var processID: Int32
        var stdout: String
        var stderr: String

        var stdoutLines: [String] {
            stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
    }

    private static var binaryPath: String {
        TestEnvironment.binaryPath
    }

    private static var testBusAddress: String? {
        guard let address = ProcessInfo.processInfo.environment["CLAUDE_GATE_TEST_BUS_ADDRESS"],
              !address.isEmpty else { return nil }
        return address
    }

    /// Returns a random secret that no other text in a test contains by accident.
    private static func makeSecret() -> String {
        "sk-test-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
    }

    private var markerExists: Bool {
        FileManager.default.fileExists(atPath: markerPath)
    }

    private func touchMarkerCommand() -> [String] {
        ["/usr/bin/touch", markerPath]
    }

    /// Returns the environment for the file backend, which has no D-Bus variables at all.
    private func fileEnvironment() -> [String: String] {
        [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": homeDirectory,
            "CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
            "CLAUDE_GATE_AUTH_STORAGE_PATH": authFilePath,
        ]
    }

    /// Returns the environment for the private keyring of `scripts/test-keyring.sh`.
    private func keyringEnvironment() throws -> [String: String] {
        guard let address = Self.testBusAddress else {
            throw XCTSkip("CLAUDE_GATE_TEST_BUS_ADDRESS is not set: run under scripts/test-keyring.sh")
        }
        usesKeyring = true
        var environment = fileEnvironment()
        environment["CLAUDE_GATE_AUTH_STORAGE_TYPE"] = "keyring"
        environment["CLAUDE_GATE_KEYRING_SERVICE"] = keyringService
        environment["DBUS_SESSION_BUS_ADDRESS"] = address
        return environment
    }

    /// Returns an environment whose session bus address names a socket
    /// path in the temporary directory that does not exist.
    private func missingBusEnvironment(storageType: String) -> [String: String] {
        var environment = fileEnvironment()
        environment["CLAUDE_GATE_AUTH_STORAGE_TYPE"] = storageType
        environment["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=\(temporaryDirectory)/no-such-bus"
        return environment
    }

    /// Stores an OAuth token set for `anthropic` that expires `expiresIn`
    /// seconds from now, or has expired when it is negative.
    private func writeOAuthCredential(access: String, refresh: String = UUID().uuidString,
                                      expiresIn: Int) throws {
        try writeAuthFile(["anthropic": ["type": "oauth", "access": access, "refresh": refresh,
                                         "expires": Int(Date().timeIntervalSince1970) + expiresIn]])
    }

    /// Writes `auth.json` in the layout the file backend reads, with mode
    /// 0600 in a 0700 directory.
    private func writeAuthFile(_ credentials: [String: [String: Any]]) throws {
        let directory = (authFilePath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = try JSONSerialization.data(withJSONObject: credentials)
        XCTAssertTrue(FileManager.default.createFile(atPath: authFilePath, contents: data,
                                                     attributes: [.posixPermissions: 0o600]))
    }

    private func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private func filesUnder(_ directory: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            files.append(directory + "/" + relative)
        }
        return files.sorted()
    }

    private func runClaudeGate(_ arguments: [String], environment: [String: String],
                               input: String? = nil) throws -> RunResult {
        try runProcess(Self.binaryPath, arguments, environment: environment, input: input)
    }

    /// Runs a program to completion with stdout and stderr in files, so
    /// that a large output cannot block it on a full pipe.
    private func runProcess(_ executable: String, _ arguments: [String], environment: [String: String],
                            input: String? = nil) throws -> RunResult {
        let outputID = UUID().uuidString
        let stdoutPath = temporaryDirectory + "/stdout-\(outputID)"
        let stderrPath = temporaryDirectory + "/stderr-\(outputID)"
        _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: stdoutPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
        }
        let stdoutHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let stderrHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: temporaryDirectory)
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe

        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try inputPipe.fileHandleForWriting.close()
        }
        try waitForExit(process, seconds: 60)
        try stdoutHandle.close()
        try stderrHandle.close()

        return RunResult(
            status: process.terminationStatus, terminationReason: process.terminationReason,
            processID: process.processIdentifier,
            stdout: try String(contentsOfFile: stdoutPath, encoding: .utf8),
            stderr: try String(contentsOfFile: stderrPath, encoding: .utf8))
    }

    /// Waits for `process`, and kills it (a process this test started) when
    /// it outlives `seconds`, so that a hang fails one test instead of the run.
    private func waitForExit(_ process: Process, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            XCTFail("\(process.executableURL?.path ?? "process") did not exit within \(seconds) seconds")
        }
        process.waitUntilExit()
    }
}
