import Foundation
import XCTest

/// CLAUDE_GATE_AUTO_MIGRATE_TOKENS: the first command that finds the keyring
/// usable moves the credentials of the file into it.
final class AutoMigrationTests: XCTestCase {
    func testFileTokensMoveToKeyringOnFirstCommand() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try sandbox.writeAuthFile(SampleCredentials.all)

        let token = try sandbox.run(["auth", "token", "--provider", "openai"])
        XCTAssertEqual(token.status, 0, token.stderr)
        XCTAssertEqual(token.stdoutText, "sample-openai-key-0123456789\n")

        let lines = token.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, token.stderr)
        XCTAssertTrue(lines.first?.contains("moved 3 credential(s) from \(sandbox.authFilePath) to the keyring") ?? false,
                      token.stderr)
        XCTAssertFalse(token.stderr.contains("sample-openai-key"), "the notice shows a secret")
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(try sandbox.keyringCredential(provider), SampleCredentials.all[provider]), provider)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
        XCTAssertEqual(sandbox.backupFiles().count, 1)

        let second = try sandbox.run(["auth", "token", "--provider", "openai"])
        XCTAssertEqual(second.stderr, "", "the second command migrated again")
    }

    func testKeyringModeMigratesToo() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try sandbox.writeAuthFile(SampleCredentials.all)

        let status = try sandbox.run(["auth", "status"], extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring"])
        XCTAssertEqual(status.status, 0, status.stderr)

        XCTAssertTrue(status.stderr.contains("moved 3 credential(s)"), status.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
        XCTAssertTrue(sameCredential(try sandbox.keyringCredential("anthropic"), SampleCredentials.all["anthropic"]))
    }

    func testLoginMigratesBeforeWriting() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try sandbox.writeAuthFile(SampleCredentials.all)

        let login = try sandbox.run(["auth", "login", "--provider", "new"], stdin: "new-provider-key\n")
        XCTAssertEqual(login.status, 0, login.stderr)

        XCTAssertTrue(login.stderr.contains("moved 3 credential(s)"), login.stderr)
        XCTAssertEqual(try sandbox.keyringCredential("new")?["key"] as? String, "new-provider-key")
        XCTAssertTrue(sameCredential(try sandbox.keyringCredential("work"), SampleCredentials.all["work"]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testDisabledLeavesFileInPlace() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try sandbox.writeAuthFile(SampleCredentials.all)

        let token = try sandbox.run(["auth", "token", "--provider", "openai"],
                                    extraEnvironment: ["CLAUDE_GATE_AUTO_MIGRATE_TOKENS": "false"])
        XCTAssertEqual(token.status, 0, token.stderr)
        XCTAssertEqual(token.stdoutText, "sample-openai-key-0123456789\n")

        XCTAssertEqual(token.stderr, "")
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertNil(try sandbox.keyringCredential("openai"))
        XCTAssertEqual(sandbox.backupFiles(), [])
    }

    func testHeadlessFallbackLeavesFileInPlace() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        try sandbox.writeAuthFile(SampleCredentials.all)

        let token = try sandbox.run(["auth", "token", "--provider", "openai"])
        XCTAssertEqual(token.status, 0, token.stderr)

        XCTAssertFalse(token.stderr.contains("moved"), token.stderr)
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
        XCTAssertEqual(sandbox.backupFiles(), [])
    }

    func testBusWithoutServiceLeavesFileInPlace() throws {
        let bus = try EmptyBus(self)
        let sandbox = try CLISandbox(self, busAddress: bus.address)
        try sandbox.writeAuthFile(SampleCredentials.all)

        let status = try sandbox.run(["auth", "status"])
        XCTAssertEqual(status.status, 0, status.stderr)

        XCTAssertFalse(status.stderr.contains("moved"), status.stderr)
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
    }

    func testFileModeNeverMigrates() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try sandbox.writeAuthFile(SampleCredentials.all)

        let token = try sandbox.run(["auth", "token"], extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file"])
        XCTAssertEqual(token.status, 0, token.stderr)

        XCTAssertEqual(token.stderr, "")
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertNil(try sandbox.keyringCredential("anthropic"))
    }

    func testConflictWarnsAndLeavesBothCopies() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try sandbox.writeAuthFile(SampleCredentials.all)
        try sandbox.storeInKeyring("work", json: #"{"type":"api","key":"keyring-work-key"}"#)

        let token = try sandbox.run(["auth", "token", "--provider", "work"])
        XCTAssertEqual(token.status, 0, token.stderr)
        XCTAssertEqual(token.stdoutText, "keyring-work-key\n")

        XCTAssertTrue(token.stderr.contains("not moving the credentials"), token.stderr)
        XCTAssertTrue(token.stderr.contains("auth storage migrate --from file --to keyring"), token.stderr)
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertNil(try sandbox.keyringCredential("openai"))
    }

    func testStorageStatusDoesNotMigrate() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        try sandbox.writeAuthFile(SampleCredentials.all)

        let status = try sandbox.run(["auth", "storage", "status"])
        XCTAssertEqual(status.status, 0, status.stderr)

        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
    }

    func testInvalidSettingNamesVariable() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let result = try sandbox.run(["auth", "token"], extraEnvironment: ["CLAUDE_GATE_AUTO_MIGRATE_TOKENS": "sometimes"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("CLAUDE_GATE_AUTO_MIGRATE_TOKENS='sometimes' is invalid"), result.stderr)
    }
}
