import Foundation
import XCTest
@testable import ClaudeGateStorage

/// The CLI over an encrypted `auth.json`: `auth storage encrypt|decrypt`,
/// CLAUDE_GATE_MASTER_PASSWORD and the unencrypted-file warning. No bus is
/// used; the storage type is file.
final class FileEncryptionCLITests: XCTestCase {
    private var sandbox: CLISandbox!
    private let fileOnly = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
                            "CLAUDE_GATE_FILE_KDF_ITERATIONS": String(testIterations)]

    override func setUpWithError() throws {
        sandbox = try CLISandbox(self, busAddress: nil)
    }

    private func run(_ arguments: [String], stdin: String = "", password: String? = nil) throws -> CLIResult {
        var environment = fileOnly
        if let password { environment["CLAUDE_GATE_MASTER_PASSWORD"] = password }
        return try sandbox.run(arguments, stdin: stdin, extraEnvironment: environment)
    }

    private func fileFormat() throws -> AuthFileFormat? {
        try FileStore(path: sandbox.authFilePath).detectFormat()
    }

    func testPlainLoginWarnsUnencrypted() throws {
        let login = try run(["auth", "login"], stdin: "sk-plain-key\n")
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertTrue(login.stderr.contains("stores credentials unencrypted"), login.stderr)
        XCTAssertTrue(login.stderr.contains("auth storage encrypt"), login.stderr)
    }

    func testLoginWithMasterPasswordEncrypts() throws {
        let login = try run(["auth", "login"], stdin: "sk-secret-key\n", password: "master")
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertFalse(login.stderr.contains("unencrypted"), login.stderr)
        XCTAssertEqual(try fileFormat(), .encryptedJWE)
        XCTAssertFalse(String(decoding: fileBytes(sandbox.authFilePath) ?? [], as: UTF8.self).contains("sk-secret-key"))

        XCTAssertEqual(try run(["auth", "token"], password: "master").stdoutText, "sk-secret-key\n")
    }

    func testEncryptedFileWithoutPasswordExitsLocked() throws {
        XCTAssertEqual(try run(["auth", "login"], stdin: "sk-key\n", password: "master").status, 0)

        let token = try run(["auth", "token"])
        XCTAssertEqual(token.status, 5, token.stderr)
        XCTAssertTrue(token.stderr.contains("CLAUDE_GATE_MASTER_PASSWORD"), token.stderr)
        XCTAssertEqual(token.stdout.count, 0)
    }

    func testWrongPasswordExitsLockedAndKeepsFile() throws {
        XCTAssertEqual(try run(["auth", "login"], stdin: "sk-key\n", password: "master").status, 0)
        let before = fileBytes(sandbox.authFilePath)

        let login = try run(["auth", "login", "--provider", "other"], stdin: "sk-other\n", password: "wrong")
        XCTAssertEqual(login.status, 5, login.stderr)
        XCTAssertTrue(login.stderr.contains("master password is wrong"), login.stderr)
        XCTAssertFalse(login.stderr.contains("wrong\n"), "the password must not be echoed: \(login.stderr)")
        XCTAssertTrue(fileBytes(sandbox.authFilePath) == before)
    }

    func testEncryptThenDecryptCommands() throws {
        XCTAssertEqual(try run(["auth", "login"], stdin: "sk-key\n").status, 0)

        let encrypt = try run(["auth", "storage", "encrypt"], password: "master")
        XCTAssertEqual(encrypt.status, 0, encrypt.stderr)
        XCTAssertEqual(try fileFormat(), .encryptedJWE)
        XCTAssertEqual(try run(["auth", "token"], password: "master").stdoutText, "sk-key\n")

        let decrypt = try run(["auth", "storage", "decrypt"], password: "master")
        XCTAssertEqual(decrypt.status, 0, decrypt.stderr)
        XCTAssertEqual(try fileFormat(), .plainJSON)
        XCTAssertEqual(try run(["auth", "token"]).stdoutText, "sk-key\n")
    }

    func testEncryptWithoutPasswordOrTerminalFails() throws {
        XCTAssertEqual(try run(["auth", "login"], stdin: "sk-key\n").status, 0)
        let before = fileBytes(sandbox.authFilePath)

        let encrypt = try run(["auth", "storage", "encrypt"])
        XCTAssertEqual(encrypt.status, 2, encrypt.stderr)
        XCTAssertTrue(encrypt.stderr.contains("CLAUDE_GATE_MASTER_PASSWORD"), encrypt.stderr)
        XCTAssertTrue(fileBytes(sandbox.authFilePath) == before)
    }

    func testCorruptFileIsNotOverwrittenByLogin() throws {
        try writeFile(sandbox.authFilePath, "{ not json")
        let login = try run(["auth", "login"], stdin: "sk-key\n")
        XCTAssertEqual(login.status, 6, login.stderr)
        XCTAssertTrue(login.stderr.contains(sandbox.authFilePath), login.stderr)
        XCTAssertEqual(fileBytes(sandbox.authFilePath), Array("{ not json".utf8))
    }

    func testStorageStatusShowsEncryption() throws {
        XCTAssertEqual(try run(["auth", "login"], stdin: "sk-key\n", password: "master").status, 0)

        let status = try run(["auth", "storage", "status"], password: "master")
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdoutText.contains("Encryption:  master password"), status.stdoutText)

        let json = try run(["auth", "storage", "status", "--json"], password: "master")
        let report = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        XCTAssertEqual(report?["file_format"] as? String, "encrypted JWE")
    }

    func testInvalidIterationSettingIsUsageError() throws {
        let status = try sandbox.run(["auth", "status"], extraEnvironment: ["CLAUDE_GATE_FILE_KDF_ITERATIONS": "12"])
        XCTAssertEqual(status.status, 2, status.stderr)
        XCTAssertTrue(status.stderr.contains("CLAUDE_GATE_FILE_KDF_ITERATIONS"), status.stderr)
    }
}
