import Foundation
import XCTest

/// `auth storage backup`, `auth storage restore` and the backup lines of
/// `auth storage status`.
final class BackupTests: XCTestCase {
    private var sandbox: CLISandbox!
    private let file = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"]

    override func setUpWithError() throws {
        sandbox = try CLISandbox(self, busAddress: nil)
    }

    func testBackupOfFileHasPrivateModes() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)

        let result = try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file)
        XCTAssertEqual(result.status, 0, result.stderr)

        let backups = sandbox.backupFiles()
        XCTAssertEqual(backups.count, 1)
        let path = try XCTUnwrap(backups.first)
        XCTAssertTrue(result.stdoutText.contains(path), result.stdoutText)
        XCTAssertEqual(try filePermissions(path), 0o600)
        XCTAssertEqual(try filePermissions(sandbox.backupDirectory), 0o700)
        let backup = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        XCTAssertEqual(backup["storage"] as? String, "file")
        XCTAssertEqual((backup["credentials"] as? [String: Any])?.keys.sorted(), SampleCredentials.providers)
    }

    func testBackupIsEncryptedWithMasterPassword() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        let password = ["CLAUDE_GATE_MASTER_PASSWORD": "backup-password", "CLAUDE_GATE_FILE_KDF_ITERATIONS": "1000"]

        let backup = try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file.merging(password) { $1 })
        XCTAssertEqual(backup.status, 0, backup.stderr)
        let path = try XCTUnwrap(sandbox.backupFiles().first)
        XCTAssertTrue(path.hasSuffix(".jwe"), path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertTrue(bytes.starts(with: Data("eyJ".utf8)), "the backup is not a compact JWE")
        XCTAssertNil(bytes.range(of: Data("sample-".utf8)), "the encrypted backup contains plain credentials")

        let withoutPassword = try sandbox.run(["auth", "storage", "restore", path, "--yes", "--to", "file"], extraEnvironment: file)
        XCTAssertEqual(withoutPassword.status, 5, withoutPassword.stderr)
        XCTAssertTrue(withoutPassword.stderr.contains("no master password"), withoutPassword.stderr)

        try FileManager.default.removeItem(atPath: sandbox.authFilePath)
        let restore = try sandbox.run(["auth", "storage", "restore", path, "--yes", "--to", "file"],
                                      extraEnvironment: file.merging(password) { $1 })
        XCTAssertEqual(restore.status, 0, restore.stderr)
        let listed = try sandbox.run(["auth", "status"], extraEnvironment: file.merging(password) { $1 })
        for provider in SampleCredentials.providers {
            XCTAssertTrue(listed.stdoutText.contains(provider), listed.stdoutText)
        }
    }

    func testLogoutReportsAndPurgesBackups() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        XCTAssertEqual(try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file).status, 0)
        let migratedCopy = sandbox.authFilePath + ".migrated"
        XCTAssertTrue(FileManager.default.createFile(atPath: migratedCopy, contents: Data("{}".utf8),
                                                     attributes: [.posixPermissions: 0o600]))

        let logout = try sandbox.run(["auth", "logout"], extraEnvironment: file)
        XCTAssertEqual(logout.status, 0, logout.stderr)
        XCTAssertTrue(logout.stderr.contains("2 backup or migrated copy file(s) still hold credentials"), logout.stderr)
        XCTAssertTrue(logout.stderr.contains("--purge-backups"), logout.stderr)
        XCTAssertEqual(sandbox.backupFiles().count, 1)

        let purge = try sandbox.run(["auth", "logout", "--purge-backups"], extraEnvironment: file)
        XCTAssertEqual(purge.status, 0, purge.stderr)
        XCTAssertTrue(purge.stderr.contains("Removed 2 backup or migrated copy file(s)"), purge.stderr)
        XCTAssertEqual(sandbox.backupFiles(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: migratedCopy))
    }

    func testEmptyStorageWritesNoBackup() throws {
        let result = try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file)
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertTrue(result.stdoutText.contains("Nothing to back up"), result.stdoutText)
        XCTAssertEqual(sandbox.backupFiles(), [])
    }

    func testBackupOfKeyring() throws {
        var sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
        try sandbox.storeInKeyring("openai", json: try SampleCredentials.json("openai"))

        let result = try sandbox.run(["auth", "storage", "backup", "--storage", "keyring"])
        XCTAssertEqual(result.status, 0, result.stderr)

        let path = try XCTUnwrap(sandbox.backupFiles().first)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("\"storage\" : \"keyring\""), text)
        XCTAssertTrue(text.contains("sample-openai-key-0123456789"), text)
    }

    func testOnlyNewestTenAreKept() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        var created: [String] = []
        for _ in 0..<12 {
            XCTAssertEqual(try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file).status, 0)
            created.append(contentsOf: sandbox.backupFiles().filter { !created.contains($0) })
        }

        let remaining = sandbox.backupFiles()
        XCTAssertEqual(remaining.count, 10)
        XCTAssertEqual(remaining, Array(created.suffix(10)))
    }

    func testStatusListsBackups() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        XCTAssertEqual(try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file).status, 0)
        let path = try XCTUnwrap(sandbox.backupFiles().first)

        let text = try sandbox.run(["auth", "storage", "status"], extraEnvironment: file)
        XCTAssertTrue(text.stdoutText.contains("Backup:"), text.stdoutText)
        XCTAssertTrue(text.stdoutText.contains(path), text.stdoutText)

        let json = try sandbox.run(["auth", "storage", "status", "--json"], extraEnvironment: file)
        let report = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        XCTAssertEqual(report?["backups"] as? [String], [path])
    }

    func testRestorePutsCredentialsBack() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        XCTAssertEqual(try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file).status, 0)
        let path = try XCTUnwrap(sandbox.backupFiles().first)
        XCTAssertEqual(try sandbox.run(["auth", "logout"], extraEnvironment: file).status, 0)
        XCTAssertNil(try sandbox.fileCredentials())

        let rejected = try sandbox.run(["auth", "storage", "restore", path], extraEnvironment: file)
        XCTAssertEqual(rejected.status, 2, rejected.stderr)
        XCTAssertNil(try sandbox.fileCredentials())

        let restored = try sandbox.run(["auth", "storage", "restore", path, "--yes"], extraEnvironment: file)
        XCTAssertEqual(restored.status, 0, restored.stderr)
        let credentials = try XCTUnwrap(try sandbox.fileCredentials())
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(credentials[provider], SampleCredentials.all[provider]), provider)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: path), "the backup was removed")
    }

    func testRestoreConflictNeedsForce() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        XCTAssertEqual(try sandbox.run(["auth", "storage", "backup"], extraEnvironment: file).status, 0)
        let path = try XCTUnwrap(sandbox.backupFiles().first)
        XCTAssertEqual(try sandbox.run(["auth", "login", "--provider", "work"], stdin: "newer-work-key\n",
                                       extraEnvironment: file).status, 0)

        let rejected = try sandbox.run(["auth", "storage", "restore", path, "--yes"], extraEnvironment: file)
        XCTAssertEqual(rejected.status, 1, rejected.stderr)
        XCTAssertTrue(rejected.stderr.contains("'work' differ"), rejected.stderr)
        XCTAssertEqual(try sandbox.fileCredentials()?["work"]?["key"] as? String, "newer-work-key")

        let forced = try sandbox.run(["auth", "storage", "restore", path, "--yes", "--force"], extraEnvironment: file)
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(try sandbox.fileCredentials()?["work"]?["key"] as? String, "sample-work-key")
        let newest = try XCTUnwrap(sandbox.backupFiles().last)
        XCTAssertTrue(try String(contentsOfFile: newest, encoding: .utf8).contains("newer-work-key"),
                      "the replaced credential was not backed up")
    }

    func testRestoreRejectsInvalidBackup() throws {
        let cases = [
            #"{"anthropic":{}}"#: "\"format\" is not \"claude-gate-backup\"",
            #"{"format":"claude-gate-backup","version":2,"credentials":{}}"#: "\"version\" is not 1",
            #"{"format":"claude-gate-backup","version":1}"#: "\"credentials\" is missing",
            #"{"format":"claude-gate-backup","version":1,"credentials":{"a b":{"type":"api","key":"k"}}}"#:
                "'a b' is not a valid provider name",
            #"{"format":"claude-gate-backup","version":1,"credentials":{"x":{"type":"api"}}}"#:
                "the credential for 'x' is invalid",
        ]
        let bogus = sandbox.home.appendingPathComponent("not-a-backup.json").path
        for (contents, expected) in cases {
            XCTAssertTrue(FileManager.default.createFile(atPath: bogus, contents: Data(contents.utf8)))

            let result = try sandbox.run(["auth", "storage", "restore", bogus, "--yes"], extraEnvironment: file)
            XCTAssertEqual(result.status, 6, result.stderr)
            XCTAssertTrue(result.stderr.contains("cannot use the backup \(bogus)"), result.stderr)
            XCTAssertTrue(result.stderr.contains(expected), "\(contents): \(result.stderr)")
        }
        XCTAssertNil(try sandbox.fileCredentials())
    }
}
