import Foundation
import XCTest

/// Storage selection when no keyring can be used: no bus at all, or a bus
/// without a Secret Service.
final class FallbackCLITests: XCTestCase {
    func testAutoWithoutBusUsesFile() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let login = try sandbox.run(["auth", "login"], stdin: "file-fallback-key\n")
        XCTAssertEqual(login.status, 0, login.stderr)

        let warnings = login.stderr.split(separator: "\n").filter { $0.contains("warning:") }
        XCTAssertEqual(warnings.count, 1, login.stderr)
        XCTAssertTrue(warnings.first?.contains("no D-Bus session bus") ?? false, login.stderr)
        XCTAssertTrue(warnings.first?.contains(sandbox.authFilePath) ?? false, login.stderr)
        XCTAssertFalse(login.stderr.contains("autolaunch"), login.stderr)

        XCTAssertEqual(try sandbox.run(["auth", "token"]).stdoutText, "file-fallback-key\n")
    }

    func testFileIsWrittenWithPrivateModes() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: "mode-key\n",
                                       extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"]).status, 0)

        let fileMode = try FileManager.default.attributesOfItem(atPath: sandbox.authFilePath)[.posixPermissions] as? Int
        XCTAssertEqual(fileMode, 0o600)
        let directory = (sandbox.authFilePath as NSString).deletingLastPathComponent
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        XCTAssertEqual(directoryMode, 0o700)
    }

    func testKeyringModeWithoutBusFails() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let login = try sandbox.run(["auth", "login"], stdin: "never-stored\n",
                                    extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring"])
        XCTAssertEqual(login.status, 4, login.stderr)
        XCTAssertTrue(login.stderr.contains("the keyring is not usable"), login.stderr)
        XCTAssertTrue(login.stderr.contains("CLAUDE_GATE_AUTH_STORAGE_TYPE=file"), login.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testAutoWithoutServiceUsesFile() throws {
        let bus = try EmptyBus(self)
        let sandbox = try CLISandbox(self, busAddress: bus.address)
        let login = try sandbox.run(["auth", "login"], stdin: "no-service-key\n")
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertTrue(login.stderr.contains("no Secret Service"), login.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testKeyringModeWithoutServiceFails() throws {
        let bus = try EmptyBus(self)
        let sandbox = try CLISandbox(self, busAddress: bus.address)
        let status = try sandbox.run(["auth", "storage", "status"],
                                     extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring"])
        XCTAssertEqual(status.status, 4, status.stderr)
        XCTAssertTrue(status.stdoutText.contains("no (no Secret Service"), status.stdoutText)
    }

    func testFileModeNeverOpensDBus() throws {
        var sandbox = try CLISandbox(self, busAddress: nil)
        // A bus address that would fail loudly if anything connected to it.
        sandbox.environment["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=\(sandbox.home.path)/no-such-bus"
        let file = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"]

        let login = try sandbox.run(["--dump-dbus", "auth", "login"], stdin: "file-only\n", extraEnvironment: file)
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertFalse(login.stderr.contains("dbus"), login.stderr)
        let token = try sandbox.run(["--dump-dbus", "auth", "token"], extraEnvironment: file)
        XCTAssertEqual(token.stdoutText, "file-only\n")
        XCTAssertFalse(token.stderr.contains("dbus"), token.stderr)
        XCTAssertFalse(token.stderr.contains("warning"), token.stderr)
    }

    func testFileStorageTestLeavesNothingBehind() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["auth", "storage", "test"], extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testGoLayoutFileIsRead() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let directory = (sandbox.authFilePath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let goFile = """
        {
          "anthropic": {"type": "oauth", "refresh": "go-refresh", "access": "go-access-token", "expires": 4102444800},
          "openai": {"type": "api", "key": "go-api-key"}
        }
        """
        _ = FileManager.default.createFile(atPath: sandbox.authFilePath, contents: Data(goFile.utf8),
                                       attributes: [.posixPermissions: 0o600])
        let file = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"]

        XCTAssertEqual(try sandbox.run(["auth", "token"], extraEnvironment: file).stdoutText, "go-access-token\n")
        XCTAssertEqual(try sandbox.run(["auth", "token", "--provider", "openai"], extraEnvironment: file).stdoutText,
                       "go-api-key\n")
    }

    func testInvalidStorageTypeNamesVariable() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["auth", "token"], extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "vault"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("CLAUDE_GATE_AUTH_STORAGE_TYPE='vault' is invalid"), result.stderr)
    }

    func testEmptyAPIKeyIsRejected() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["auth", "login"], stdin: "\n", extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("no API key on standard input"), result.stderr)
    }

    func testTokenForMissingProviderFails() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["auth", "token", "--provider", "absent"],
                                     extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout.count, 0)
        XCTAssertTrue(result.stderr.contains("auth login --provider absent"), result.stderr)
    }

    func testUnknownOptionIsUsageError() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["auth", "login", "--key", "secret-in-argv"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("unknown option '--key'"), result.stderr)
    }

    func testEveryCommandHasHelp() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        for command in [["auth", "login"], ["auth", "token"], ["auth", "status"], ["auth", "logout"],
                        ["auth", "storage", "status"], ["auth", "storage", "test"]] {
            let result = try sandbox.run(command + ["--help"])
            XCTAssertEqual(result.status, 0, command.joined(separator: " "))
            XCTAssertTrue(result.stdoutText.hasPrefix("Usage: claude-gate \(command.joined(separator: " "))"), result.stdoutText)
        }
        let top = try sandbox.run(["--help"])
        XCTAssertTrue(top.stdoutText.contains("Exit status:"), top.stdoutText)
        XCTAssertEqual(try sandbox.run(["--version"]).stdoutText.hasPrefix("claude-gate "), true)
    }
}

/// `auth login` on a terminal, driven through a pseudo-terminal by Python's
/// pty module so that standard input is a real TTY.
final class TerminalLoginTests: XCTestCase {
    func testLoginPromptDoesNotEcho() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let secret = "typed-on-terminal-0123456789"
        let script = """
        import os, pty, sys, time
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(sys.argv[1], [sys.argv[1], "auth", "login"])
        output = b""
        deadline = time.time() + 10
        while b"input hidden" not in output and time.time() < deadline:
            output += os.read(fd, 1024)
        os.write(fd, sys.argv[2].encode() + b"\\n")
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        _, status = os.waitpid(pid, 0)
        sys.stdout.write(output.decode(errors="replace"))
        sys.exit(os.waitstatus_to_exitcode(status))
        """
        let file = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"]
        let result = try runProcess(TestEnvironment.systemPython, ["-c", script, TestEnvironment.binaryPath, secret],
                                    environment: sandbox.environment.merging(file) { $1 })
        XCTAssertEqual(result.status, 0, result.stdoutText + result.stderr)
        XCTAssertTrue(result.stdoutText.contains("API key for anthropic (input hidden): "), result.stdoutText)
        XCTAssertFalse(result.stdoutText.contains(secret), "the terminal echoed the secret")

        XCTAssertEqual(try sandbox.run(["auth", "token"], extraEnvironment: file).stdoutText, secret + "\n")
    }
}
