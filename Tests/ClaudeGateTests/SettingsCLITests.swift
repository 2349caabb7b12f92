import Foundation
import XCTest

/// Invalid CLAUDE_GATE_* values and global options, run through the binary:
/// each must stop the command with exit 2 and a message that names the
/// variable and the value, before any storage is opened.
final class SettingsCLITests: XCTestCase {
    /// Each case: variable, invalid value, and a part of the expected-value hint.
    private let invalidSettings: [(variable: String, value: String, hint: String)] = [
        ("CLAUDE_GATE_AUTH_STORAGE_TYPE", "vault", "auto, keyring or file"),
        ("CLAUDE_GATE_AUTH_STORAGE_TYPE", "FILES", "auto, keyring or file"),
        ("CLAUDE_GATE_KEYRING_SERVICE", "", "non-empty service name"),
        ("CLAUDE_GATE_AUTH_STORAGE_PATH", "relative/auth.json", "an absolute path"),
        ("CLAUDE_GATE_AUTH_STORAGE_PATH", "/tmp/claude-gate-directory/", "not a directory"),
        ("CLAUDE_GATE_DBUS_TIMEOUT", "soon", "a number of seconds"),
        ("CLAUDE_GATE_DBUS_TIMEOUT", "0", "a number of seconds"),
        ("CLAUDE_GATE_DBUS_TIMEOUT", "nan", "a number of seconds"),
        ("CLAUDE_GATE_PROMPT_TIMEOUT", "-1", "a number of seconds"),
        ("CLAUDE_GATE_PROMPT_TIMEOUT", "86401", "at most 86400"),
        ("CLAUDE_GATE_PROMPT_TIMEOUT", "inf", "a number of seconds"),
        ("CLAUDE_GATE_SECRET_SESSION", "aes", "auto, dh or plain"),
        ("CLAUDE_GATE_DBUS_DUMP", "maybe", "1, 0, text or pcap:FILE"),
        ("CLAUDE_GATE_DBUS_DUMP", "pcap:", "pcap:FILE with a file path"),
        ("CLAUDE_GATE_DEBUG", "maybe", "true or false"),
        ("HOME", "relative-home", "an absolute path"),
    ]

    func testInvalidVariablesExitTwoNamingVariable() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        for (variable, value, hint) in invalidSettings {
            for command in [["auth", "token"], ["auth", "status", "--json"], ["auth", "storage", "status"]] {
                let label = "\(variable)='\(value)' \(command.joined(separator: " "))"
                let result = try sandbox.run(command, extraEnvironment: [variable: value])

                XCTAssertEqual(result.status, 2, "\(label): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("\(variable)='\(value)' is invalid"), "\(label): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains(hint), "\(label): \(result.stderr)")
                XCTAssertEqual(result.stdout.count, 0, "\(label): \(result.stdoutText)")
            }
        }
    }

    func testInvalidSettingStopsLoginBeforeStoring() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["auth", "login"], stdin: "never-stored-key\n",
                                     extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
                                                        "CLAUDE_GATE_DBUS_TIMEOUT": "soon"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
        XCTAssertFalse(result.stderr.contains("never-stored-key"), result.stderr)
    }

    func testInvalidDumpOptionNamesOption() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["--dump-dbus=maybe", "auth", "status"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("--dump-dbus='maybe' is invalid"), result.stderr)
    }

    func testValidFlagSpellingsAreAccepted() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        for value in ["1", "0", "true", "FALSE", "yes", "off"] {
            let result = try sandbox.run(["auth", "status"],
                                         extraEnvironment: ["CLAUDE_GATE_DEBUG": value, "CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"])
            XCTAssertEqual(result.status, 0, "CLAUDE_GATE_DEBUG=\(value): \(result.stderr)")
        }
    }

    func testUnusablePathNamesVariable() throws {
        // A path below a regular file can be neither read nor created. The
        // value itself is valid, so this is a file error (exit 6), and the
        // message names the variable that chose the path.
        let sandbox = try CLISandbox(self, busAddress: nil)
        let plainFile = sandbox.home.appendingPathComponent("plain-file").path
        XCTAssertTrue(FileManager.default.createFile(atPath: plainFile, contents: Data()))
        let path = plainFile + "/auth.json"
        let environment = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file", "CLAUDE_GATE_AUTH_STORAGE_PATH": path]

        for (command, stdin) in [(["auth", "status"], ""), (["auth", "login"], "unusable-path-key\n")] {
            let result = try sandbox.run(command, stdin: stdin, extraEnvironment: environment)
            let label = command.joined(separator: " ")
            XCTAssertEqual(result.status, 6, "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(plainFile), "\(label): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("CLAUDE_GATE_AUTH_STORAGE_PATH='\(path)'"), "\(label): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("unusable-path-key"), "\(label): \(result.stderr)")
        }
    }

    func testDirectoryAsPathNamesVariable() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let path = sandbox.home.path
        let result = try sandbox.run(["auth", "status"], extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
                                                                          "CLAUDE_GATE_AUTH_STORAGE_PATH": path])
        XCTAssertEqual(result.status, 6, result.stderr)
        XCTAssertTrue(result.stderr.contains("not a regular file"), result.stderr)
        XCTAssertTrue(result.stderr.contains("CLAUDE_GATE_AUTH_STORAGE_PATH='\(path)'"), result.stderr)
    }
}

/// `auth status` is the one command that shows part of a secret to a person.
/// These tests check the mask: at most the first and last four characters of
/// a secret of 16 or more characters, nothing of a shorter one, and never
/// an OAuth refresh token.
final class MaskedStatusTests: XCTestCase {
    private let file = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"]

    func testLongAPIKeyShowsOnlyEnds() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let key = "sk-ant-api03-MIDDLEPARTOFTHEKEY-0123456789-wxyz"
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: key + "\n", extraEnvironment: file).status, 0)

        let status = try sandbox.run(["auth", "status"], extraEnvironment: file)

        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdoutText.contains("sk-a...wxyz"), status.stdoutText)
        assertNoFragment(of: key, longerThan: 4, in: status.stdoutText + status.stderr, except: ["sk-a", "wxyz"])
    }

    func testShortAPIKeyIsFullyMasked() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let key = "short-key-15chr"
        XCTAssertEqual(key.count, 15)
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: key + "\n", extraEnvironment: file).status, 0)

        let status = try sandbox.run(["auth", "status"], extraEnvironment: file)

        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdoutText.contains("****"), status.stdoutText)
        assertNoFragment(of: key, longerThan: 2, in: status.stdoutText + status.stderr, except: [])
    }

    func testOAuthStatusHidesRefreshToken() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let access = "oauth-access-ABCDEFGHIJKLMNOP-1234"
        let refresh = "oauth-refresh-QRSTUVWXYZ-98765"
        let input = "{\"access\":\"\(access)\",\"refresh\":\"\(refresh)\",\"expires\":4102444800}"
        XCTAssertEqual(try sandbox.run(["auth", "login", "--oauth"], stdin: input, extraEnvironment: file).status, 0)

        for arguments in [["auth", "status"], ["auth", "status", "--json"], ["--verbose", "auth", "status"]] {
            let status = try sandbox.run(arguments, extraEnvironment: file)
            let output = status.stdoutText + status.stderr
            let label = arguments.joined(separator: " ")
            XCTAssertEqual(status.status, 0, "\(label): \(status.stderr)")
            assertNoFragment(of: refresh, longerThan: 5, in: output, except: ["oauth-"])
            assertNoFragment(of: access, longerThan: 4, in: output, except: ["oaut", "1234", "oauth-"])
        }
    }

    /// Fails when `text` contains any substring of `secret` longer than
    /// `length` characters, other than a substring of one of the `allowed` strings.
    private func assertNoFragment(of secret: String, longerThan length: Int, in text: String, except allowed: [String],
                                  file: StaticString = #filePath, line: UInt = #line) {
        let characters = Array(secret)
        guard characters.count > length else { return }
        for start in 0...(characters.count - length - 1) {
            let fragment = String(characters[start...(start + length)])
            if allowed.contains(where: { $0.contains(fragment) }) { continue }
            XCTAssertFalse(text.contains(fragment), "output contains '\(fragment)' of the secret: \(text)",
                           file: file, line: line)
        }
    }
}
