import Foundation
import XCTest

/// `auth storage migrate` between the file and the real gnome-keyring that
/// scripts/test-keyring.sh starts.
final class MigrationTests: XCTestCase {
    private var sandbox: CLISandbox!

    override func setUpWithError() throws {
        sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        // Reads in these tests must not move anything on their own.
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
    }

    private func migrate(_ from: String, _ to: String, _ extra: [String] = ["--yes"]) throws -> CLIResult {
        try sandbox.run(["auth", "storage", "migrate", "--from", from, "--to", to] + extra)
    }

    private func assertKeyringHoldsSamples(file: StaticString = #filePath, line: UInt = #line) throws {
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(try sandbox.keyringCredential(provider), SampleCredentials.all[provider]),
                          "keyring copy of \(provider)", file: file, line: line)
        }
    }

    private func assertBackupHoldsSamples(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try filePermissions(path), 0o600, file: file, line: line)
        XCTAssertEqual(try filePermissions(sandbox.backupDirectory), 0o700, file: file, line: line)
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path), file: file, line: line)
        let backup = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], file: file, line: line)
        XCTAssertEqual(backup["format"] as? String, "claude-gate-backup", file: file, line: line)
        let credentials = try XCTUnwrap(backup["credentials"] as? [String: [String: Any]], file: file, line: line)
        XCTAssertEqual(credentials.keys.sorted(), SampleCredentials.providers, file: file, line: line)
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(credentials[provider], SampleCredentials.all[provider]), provider, file: file, line: line)
        }
    }

    func testFileToKeyringMovesEveryToken() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)

        let result = try migrate("file", "keyring")
        XCTAssertEqual(result.status, 0, result.stderr)

        try assertKeyringHoldsSamples()
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
        let migrated = sandbox.authFilePath + ".migrated"
        XCTAssertEqual(try filePermissions(migrated), 0o600)
        XCTAssertEqual(try sandbox.fileCredentials(path: migrated)?.keys.sorted(), SampleCredentials.providers)
        XCTAssertEqual(sandbox.backupFiles().count, 1)
        try assertBackupHoldsSamples(try XCTUnwrap(sandbox.backupFiles().first))
        XCTAssertTrue(result.stdoutText.contains("Backup: "), result.stdoutText)
        XCTAssertFalse(result.stdoutText.contains("sample-openai-key"), "the output shows a secret")
    }

    func testKeyringToFileMovesEveryToken() throws {
        for provider in SampleCredentials.providers {
            try sandbox.storeInKeyring(provider, json: try SampleCredentials.json(provider))
        }

        // With automatic migration on, auto would move them straight back,
        // which the command warns about.
        let result = try sandbox.run(["auth", "storage", "migrate", "--from", "keyring", "--to", "file", "--yes"],
                                     extraEnvironment: ["CLAUDE_GATE_AUTO_MIGRATE_TOKENS": "true"])
        XCTAssertEqual(result.status, 0, result.stderr)

        let file = try XCTUnwrap(try sandbox.fileCredentials())
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(file[provider], SampleCredentials.all[provider]), provider)
            XCTAssertNil(try sandbox.keyringCredential(provider), "\(provider) is still in the keyring")
        }
        XCTAssertEqual(try filePermissions(sandbox.authFilePath), 0o600)
        try assertBackupHoldsSamples(try XCTUnwrap(sandbox.backupFiles().first))
        XCTAssertTrue(result.stderr.contains("Set CLAUDE_GATE_AUTH_STORAGE_TYPE=file"), result.stderr)
    }

    func testSourceIsRemovedOnlyAfterVerify() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        let process = try sandbox.start(["auth", "storage", "migrate", "--from", "file", "--to", "keyring", "--yes"],
                                        extraEnvironment: ["CLAUDE_GATE_TEST_PAUSE_AFTER": "verify"])
        XCTAssertTrue(waitUntilStopped(process), "the migration did not stop after verify")

        // Stopped right after the verification: both copies exist.
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        try assertKeyringHoldsSamples()
        killHard(process)
    }

    func testDryRunChangesNothing() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)

        let result = try migrate("file", "keyring", ["--dry-run"])
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertTrue(result.stdoutText.contains("Dry run: nothing was changed"), result.stdoutText)
        for provider in SampleCredentials.providers {
            XCTAssertTrue(result.stdoutText.contains(provider), result.stdoutText)
            XCTAssertNil(try sandbox.keyringCredential(provider))
        }
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertEqual(sandbox.backupFiles(), [])
    }

    func testNonTerminalWithoutYesIsRejected() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)

        let result = try migrate("file", "keyring", [])
        XCTAssertEqual(result.status, 2, result.stderr)

        XCTAssertTrue(result.stderr.contains("pass --yes"), result.stderr)
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertNil(try sandbox.keyringCredential("openai"))
    }

    func testSameStorageIsNoOp() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)

        let result = try migrate("file", "file")
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertTrue(result.stdoutText.contains("Nothing to migrate"), result.stdoutText)
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
        XCTAssertEqual(sandbox.backupFiles(), [])
    }

    func testEmptySourceIsNoOp() throws {
        let result = try migrate("file", "keyring")
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertTrue(result.stdoutText.contains("Nothing to migrate: no credentials in the file"), result.stdoutText)
        XCTAssertEqual(sandbox.backupFiles(), [])
    }

    func testConflictIsReportedAndNothingOverwritten() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        let keyringValue = #"{"type":"api","key":"different-in-keyring"}"#
        try sandbox.storeInKeyring("openai", json: keyringValue)

        let result = try migrate("file", "keyring")
        XCTAssertEqual(result.status, 1, result.stderr)

        XCTAssertTrue(result.stderr.contains("'openai' differ"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--force"), result.stderr)
        XCTAssertFalse(result.stderr.contains("different-in-keyring"), "the error shows a secret")
        XCTAssertEqual(try sandbox.keyringCredential("openai")?["key"] as? String, "different-in-keyring")
        XCTAssertNil(try sandbox.keyringCredential("anthropic"), "a non-conflicting token was written anyway")
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
    }

    func testForceReplacesAndBacksUpDestination() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        try sandbox.storeInKeyring("openai", json: #"{"type":"api","key":"different-in-keyring"}"#)

        let result = try migrate("file", "keyring", ["--yes", "--force"])
        XCTAssertEqual(result.status, 0, result.stderr)

        try assertKeyringHoldsSamples()
        let backups = sandbox.backupFiles()
        XCTAssertEqual(backups.count, 2)
        let replaced = try backups.map { try String(contentsOfFile: $0, encoding: .utf8) }
        XCTAssertTrue(replaced.contains { $0.contains("different-in-keyring") }, "the replaced value was not backed up")
    }

    func testRerunAfterCompletionIsNoOp() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        XCTAssertEqual(try migrate("file", "keyring").status, 0)

        let again = try migrate("file", "keyring")
        XCTAssertEqual(again.status, 0, again.stderr)

        XCTAssertTrue(again.stdoutText.contains("Nothing to migrate"), again.stdoutText)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated.2"))
    }

    func testMissingOptionsAreUsageErrors() throws {
        let noTo = try sandbox.run(["auth", "storage", "migrate", "--from", "file"])
        XCTAssertEqual(noTo.status, 2)
        XCTAssertTrue(noTo.stderr.contains("--to is required"), noTo.stderr)

        let badFrom = try sandbox.run(["auth", "storage", "migrate", "--from", "cloud", "--to", "file"])
        XCTAssertEqual(badFrom.status, 2)
        XCTAssertTrue(badFrom.stderr.contains("invalid --from 'cloud'"), badFrom.stderr)

        let invalid = try sandbox.run(["auth", "storage", "migrate", "--from", "file", "--to", "keyring", "--yes"],
                                      extraEnvironment: ["CLAUDE_GATE_TEST_PAUSE_AFTER": "later"])
        XCTAssertEqual(invalid.status, 2)
        XCTAssertTrue(invalid.stderr.contains("CLAUDE_GATE_TEST_PAUSE_AFTER='later' is invalid"), invalid.stderr)
    }
}

/// Destinations that fail: the source must stay as it was.
final class MigrationFailureTests: XCTestCase {
    func testKeyringDestinationGoneLeavesSourceUntouched() throws {
        let bus = try EmptyBus(self)
        var sandbox = try CLISandbox(self, busAddress: bus.address)
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
        try sandbox.writeAuthFile(SampleCredentials.all)
        let before = try Data(contentsOf: URL(fileURLWithPath: sandbox.authFilePath))

        let result = try sandbox.run(["auth", "storage", "migrate", "--from", "file", "--to", "keyring", "--yes"])
        XCTAssertEqual(result.status, 4, result.stderr)

        XCTAssertTrue(result.stderr.contains("the keyring is not usable"), result.stderr)
        XCTAssertTrue(result.stderr.contains("no Secret Service"), result.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sandbox.authFilePath)), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
    }

    func testKeyringFailingAfterFirstWriteLeavesFileUntouched() throws {
        var sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
        try sandbox.writeAuthFile(SampleCredentials.all)
        let before = try Data(contentsOf: URL(fileURLWithPath: sandbox.authFilePath))

        // The destination is a throwaway collection behind the default
        // alias. It is deleted, with the first credential written into it,
        // while the migration is stopped after that write, so the second
        // write fails. The alias goes back to 'login' for the other tests.
        let aliasScript = """
        import sys, secretstorage
        from jeepney import DBusAddress, new_method_call
        connection = secretstorage.dbus_init()
        service = DBusAddress("/org/freedesktop/secrets", bus_name="org.freedesktop.secrets",
                              interface="org.freedesktop.Secret.Service")
        if sys.argv[1] == "create":
            session = connection.send_and_get_reply(new_method_call(service, "OpenSession", "sv", ("plain", ("s", "")))).body[1]
            internal = DBusAddress("/org/freedesktop/secrets", bus_name="org.freedesktop.secrets",
                                   interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface")
            path = connection.send_and_get_reply(new_method_call(
                internal, "CreateWithMasterPassword", "a{sv}(oayays)",
                ({"org.freedesktop.Secret.Collection.Label": ("s", "claude-gate-doomed")},
                 (session, b"", b"doomed-password", "text/plain")))).body[0]
        elif sys.argv[1] == "delete":
            path = connection.send_and_get_reply(new_method_call(service, "ReadAlias", "s", ("default",))).body[0]
            secretstorage.Collection(connection, path).delete()
            path = "/org/freedesktop/secrets/collection/login"
        else:
            path = "/org/freedesktop/secrets/collection/login"
        connection.send_and_get_reply(new_method_call(service, "SetAlias", "so", ("default", path)))
        """
        let python = TestEnvironment.systemPython
        let environment = sandbox.environment
        addTeardownBlock { _ = try? runProcess(python, ["-c", aliasScript, "restore"], environment: environment) }
        let created = try runProcess(python, ["-c", aliasScript, "create"], environment: environment)
        XCTAssertEqual(created.status, 0, created.stderr)

        let stderrPath = sandbox.home.appendingPathComponent("migrate.stderr").path
        let process = try sandbox.start(["auth", "storage", "migrate", "--from", "file", "--to", "keyring", "--yes"],
                                        extraEnvironment: ["CLAUDE_GATE_TEST_PAUSE_AFTER": "write:1"], stderrPath: stderrPath)
        XCTAssertTrue(waitUntilStopped(process), "the migration did not stop after the first write")
        let deleted = try runProcess(python, ["-c", aliasScript, "delete"], environment: environment)
        XCTAssertEqual(deleted.status, 0, deleted.stderr)
        kill(process.processIdentifier, SIGCONT)
        process.waitUntilExit()

        XCTAssertNotEqual(process.terminationStatus, 0)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        XCTAssertTrue(stderr.contains("storing 'openai' in the keyring failed"), stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sandbox.authFilePath)), before)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
    }

    func testUnwritableFileDestinationLeavesKeyringUntouched() throws {
        var sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
        for provider in SampleCredentials.providers {
            try sandbox.storeInKeyring(provider, json: try SampleCredentials.json(provider))
        }

        // A read-only directory stops an ordinary user, but root ignores
        // mode bits, and the tests run as root in CI. There a directory in
        // place of auth.json makes the write fail instead.
        let directory = sandbox.home.appendingPathComponent("read-only").path
        let target = directory + "/auth.json"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        if geteuid() == 0 {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        }
        XCTAssertEqual(chmod(directory, 0o500), 0)
        addTeardownBlock { chmod(directory, 0o700) }

        let result = try sandbox.run(["auth", "storage", "migrate", "--from", "keyring", "--to", "file", "--yes"],
                                     extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_PATH": target])
        XCTAssertEqual(result.status, 6, result.stderr)

        XCTAssertTrue(result.stderr.contains(target), result.stderr)
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(try sandbox.keyringCredential(provider), SampleCredentials.all[provider]), provider)
        }
    }

    func testFileFailingAfterFirstWriteLeavesKeyringUntouched() throws {
        var sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
        for provider in SampleCredentials.providers {
            try sandbox.storeInKeyring(provider, json: try SampleCredentials.json(provider))
        }
        let process = try sandbox.start(["auth", "storage", "migrate", "--from", "keyring", "--to", "file", "--yes"],
                                        extraEnvironment: ["CLAUDE_GATE_TEST_PAUSE_AFTER": "write:1"])
        XCTAssertTrue(waitUntilStopped(process), "the migration did not stop after the first write")

        // The next write reads auth.json first; a directory in its place
        // makes that fail even for root.
        try FileManager.default.removeItem(atPath: sandbox.authFilePath)
        try FileManager.default.createDirectory(atPath: sandbox.authFilePath, withIntermediateDirectories: false)
        kill(process.processIdentifier, SIGCONT)
        process.waitUntilExit()

        XCTAssertEqual(process.terminationStatus, 6)
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(try sandbox.keyringCredential(provider), SampleCredentials.all[provider]), provider)
        }
    }
}

/// The confirmation question of `auth storage migrate` on a terminal,
/// answered through a pseudo-terminal made by Python's pty module.
final class MigrationConfirmationTests: XCTestCase {
    private var sandbox: CLISandbox!

    override func setUpWithError() throws {
        sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
        try sandbox.writeAuthFile(SampleCredentials.all)
    }

    /// Runs the migration on a terminal and types `answer` to its question.
    private func migrateAnswering(_ answer: String) throws -> CLIResult {
        try runOnTerminal(["auth", "storage", "migrate", "--from", "file", "--to", "keyring"], prompt: "[y/N]",
                          input: answer, environment: sandbox.environment)
    }

    func testYesMigrates() throws {
        let result = try migrateAnswering("y")
        XCTAssertEqual(result.status, 0, result.stdoutText + result.stderr)

        XCTAssertTrue(result.stdoutText.contains("Migrate 3 credential(s) to the keyring"), result.stdoutText)
        XCTAssertTrue(sameCredential(try sandbox.keyringCredential("work"), SampleCredentials.all["work"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testNoChangesNothing() throws {
        let result = try migrateAnswering("n")
        XCTAssertEqual(result.status, 1, result.stdoutText + result.stderr)

        XCTAssertTrue(result.stdoutText.contains("cancelled; nothing was changed"), result.stdoutText)
        XCTAssertNil(try sandbox.keyringCredential("work"))
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertEqual(sandbox.backupFiles(), [])
    }
}
