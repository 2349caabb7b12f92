import Foundation
import XCTest
@testable import ClaudeGateStorage

final class FileStoreEncryptionTests: XCTestCase {
    private var directory = ""
    private var path = ""

    override func setUpWithError() throws {
        directory = try makeTemporaryDirectory(self) + "/.claude-gate"
        path = directory + "/auth.json"
    }

    private func makeStore(password: String?) -> (FileStore, RecordingPasswordProvider) {
        let recorder = RecordingPasswordProvider(password)
        return (FileStore(path: path, passwordProvider: recorder.provider, kdfIterations: testIterations), recorder)
    }

    private func encryptedFile(password: String, contents: String) throws -> [UInt8] {
        try PasswordJWE.encrypt(Array(contents.utf8), password: Array(password.utf8), iterations: testIterations)
    }

    // MARK: Round trips

    func testPlainRoundTripReportsUnencrypted() throws {
        let store = FileStore(path: path)
        try store.write(.apiKey("sk-plain"), provider: "anthropic")

        XCTAssertEqual(try store.read(provider: "anthropic"), .apiKey("sk-plain"))
        XCTAssertEqual(store.lastWriteFormat, .plainJSON)
        XCTAssertTrue(store.lastWriteWasUnencrypted)
        XCTAssertEqual(try store.detectFormat(), .plainJSON)
        XCTAssertEqual(fileBytes(path).flatMap { try? JSONValue.parse($0) },
                       .object(["anthropic": .object(["type": .string("api"), "key": .string("sk-plain")])]))
    }

    func testEncryptedRoundTrip() throws {
        let (store, recorder) = makeStore(password: "master")
        let credential = Credential.oauth(access: "access-1", refresh: "refresh-1", expiresAt: 1_900_000_000)
        try store.write(credential, provider: "anthropic")

        XCTAssertEqual(store.lastWriteFormat, .encryptedJWE)
        XCTAssertFalse(store.lastWriteWasUnencrypted)
        XCTAssertEqual(try store.detectFormat(), .encryptedJWE)
        XCTAssertEqual(recorder.requests, [PasswordRequest(path: path, purpose: .encryptFile)])

        let reader = FileStore(path: path, passwordProvider: { _ in Array("master".utf8) })
        XCTAssertEqual(try reader.read(provider: "anthropic"), credential)
        XCTAssertEqual(try reader.listProviders(), ["anthropic"])
    }

    func testEncryptedFileIsCompactJWEOfPlainLayout() throws {
        let (store, _) = makeStore(password: "master")
        try store.write(.apiKey("sk-1"), provider: "anthropic")

        let bytes = try XCTUnwrap(fileBytes(path))
        XCTAssertEqual(bytes.filter { $0 == UInt8(ascii: ".") }.count, 4)
        XCTAssertFalse(bytes.contains(UInt8(ascii: "\n")))
        let message = try PasswordJWEMessage(parsing: bytes)
        XCTAssertEqual(message.iterations, testIterations)
        XCTAssertEqual(message.salt.count, 16)
        let plaintext = try PasswordJWE.decrypt(bytes, password: Array("master".utf8))
        XCTAssertEqual(try AuthDocument(parsing: plaintext).credential(for: "anthropic"), .apiKey("sk-1"))
    }

    func testEncryptedFileStaysEncryptedOnRewrite() throws {
        let (store, recorder) = makeStore(password: "master")
        try store.write(.apiKey("sk-1"), provider: "one")
        try store.write(.apiKey("sk-2"), provider: "two")
        XCTAssertTrue(try store.delete(provider: "one"))

        XCTAssertEqual(try store.detectFormat(), .encryptedJWE)
        XCTAssertEqual(try store.listProviders(), ["two"])
        XCTAssertTrue(recorder.requests.contains(PasswordRequest(path: path, purpose: .decryptFile)))
    }

    func testProviderDecliningEncryptionWritesPlain() throws {
        let (store, recorder) = makeStore(password: nil)
        try store.write(.apiKey("sk-1"), provider: "anthropic")

        XCTAssertEqual(store.lastWriteFormat, .plainJSON)
        XCTAssertEqual(recorder.requests, [PasswordRequest(path: path, purpose: .encryptFile)])
    }

    func testMasterPasswordEncryptsExistingPlainFile() throws {
        try writeFile(path, #"{"old":{"type":"api","key":"sk-old"}}"#)
        let store = FileStore(path: path,
                              passwordProvider: FileStore.passwordProvider(masterPassword: MasterPassword(Array("pw".utf8)), prompt: nil),
                              kdfIterations: testIterations)
        try store.write(.apiKey("sk-new"), provider: "new")

        XCTAssertEqual(try store.detectFormat(), .encryptedJWE)
        XCTAssertEqual(try store.read(provider: "old"), .apiKey("sk-old"))
        XCTAssertEqual(try store.read(provider: "new"), .apiKey("sk-new"))
    }

    func testMasterPasswordTakesPrecedenceOverPrompt() throws {
        var prompted = false
        let provider = FileStore.passwordProvider(masterPassword: MasterPassword(Array("env".utf8)),
                                                  prompt: { _ in prompted = true; return Array("typed".utf8) })
        XCTAssertEqual(try provider?(PasswordRequest(path: path, purpose: .decryptFile)), Array("env".utf8))
        XCTAssertFalse(prompted)
        XCTAssertNil(FileStore.passwordProvider(masterPassword: nil, prompt: nil))
    }

    func testUnknownFieldsSurviveEncryptedRewrite() throws {
        let original = #"{"future":{"type":"magic","token":[1,2,{"x":null}]},"anthropic":{"type":"api","key":"k","note":"keep me"}}"#
        try writeFile(path, try encryptedFile(password: "pw", contents: original))
        let (store, _) = makeStore(password: "pw")
        try store.write(.apiKey("sk-other"), provider: "other")

        let plaintext = try PasswordJWE.decrypt(XCTUnwrap(fileBytes(path)), password: Array("pw".utf8))
        let entries = try XCTUnwrap(JSONValue.parse(plaintext).objectValue)
        XCTAssertEqual(entries["future"], try JSONValue.parse(Array(#"{"type":"magic","token":[1,2,{"x":null}]}"#.utf8)))
        XCTAssertEqual(entries["anthropic"]?.objectValue?["note"], .string("keep me"))
        XCTAssertNotNil(entries["other"])
    }

    func testUnknownFieldsSurvivePlainRewrite() throws {
        try writeFile(path, #"{"future":{"type":"magic","n":1.5},"anthropic":{"type":"api","key":"k","extra":true}}"#)
        let store = FileStore(path: path)
        try store.write(.apiKey("sk-other"), provider: "other")

        let entries = try XCTUnwrap(JSONValue.parse(XCTUnwrap(fileBytes(path))).objectValue)
        XCTAssertEqual(entries["future"], .object(["type": .string("magic"), "n": .double(1.5)]))
        XCTAssertEqual(entries["anthropic"]?.objectValue?["extra"], .bool(true))
    }

    func testIterationSettingIsWritten() throws {
        let store = FileStore(path: path, passwordProvider: { _ in Array("pw".utf8) }, kdfIterations: 4321)
        try store.write(.apiKey("k"), provider: "p")
        XCTAssertEqual(try PasswordJWEMessage(parsing: XCTUnwrap(fileBytes(path))).iterations, 4321)
    }

    // MARK: Encrypting and decrypting in place

    func testEncryptFileInPlace() throws {
        try writeFile(path, #"{"anthropic":{"type":"api","key":"sk-1"}}"#)
        let store = FileStore(path: path, kdfIterations: testIterations)
        try store.encryptFile(newPassword: Array("new".utf8))

        XCTAssertEqual(try store.detectFormat(), .encryptedJWE)
        XCTAssertEqual(fileMode(path), 0o600)
        let reader = FileStore(path: path, passwordProvider: { _ in Array("new".utf8) })
        XCTAssertEqual(try reader.read(provider: "anthropic"), .apiKey("sk-1"))
    }

    func testEncryptFileChangesPassword() throws {
        try writeFile(path, try encryptedFile(password: "old", contents: #"{"a":{"type":"api","key":"k"}}"#))
        let (store, _) = makeStore(password: "old")
        try store.encryptFile(newPassword: Array("new".utf8))

        let newReader = FileStore(path: path, passwordProvider: { _ in Array("new".utf8) })
        XCTAssertEqual(try newReader.read(provider: "a"), .apiKey("k"))
        let oldReader = FileStore(path: path, passwordProvider: { _ in Array("old".utf8) })
        assertStorageError(try oldReader.read(provider: "a")) { $0 == .wrongPassword(path: self.path) }
    }

    func testEncryptMissingFileCreatesEncryptedEmptyDocument() throws {
        let store = FileStore(path: path, kdfIterations: testIterations)
        try store.encryptFile(newPassword: Array("pw".utf8))

        let plaintext = try PasswordJWE.decrypt(XCTUnwrap(fileBytes(path)), password: Array("pw".utf8))
        XCTAssertEqual(try JSONValue.parse(plaintext), .object([:]))
    }

    func testEncryptWithEmptyPasswordRejected() throws {
        try writeFile(path, "{}")
        let store = FileStore(path: path)
        assertStorageError(try store.encryptFile(newPassword: [])) { $0 == .emptyPassword(path: self.path) }
        XCTAssertEqual(fileBytes(path), Array("{}".utf8))
    }

    func testDecryptFileInPlace() throws {
        try writeFile(path, try encryptedFile(password: "pw", contents: #"{"a":{"type":"api","key":"k"}}"#))
        let (store, _) = makeStore(password: "pw")

        XCTAssertTrue(try store.decryptFile())
        XCTAssertEqual(try store.detectFormat(), .plainJSON)
        XCTAssertEqual(try FileStore(path: path).read(provider: "a"), .apiKey("k"))
        XCTAssertFalse(try store.decryptFile())
    }

    func testDecryptMissingFileChangesNothing() throws {
        let store = FileStore(path: path)
        XCTAssertFalse(try store.decryptFile())
        XCTAssertNil(fileBytes(path))
    }

    // MARK: Bad encrypted files: each error names the path, the file is untouched

    /// Runs every operation that reads the file and asserts that each fails
    /// with the expected error and that the file's bytes did not change.
    private func assertRejected(_ bytes: [UInt8], password: String? = "pw", file: StaticString = #filePath,
                                line: UInt = #line, _ matches: @escaping (StorageError) -> Bool) throws {
        try writeFile(path, bytes)
        let (store, _) = makeStore(password: password)
        let operations: [(String, () throws -> Void)] = [
            ("read", { _ = try store.read(provider: "anthropic") }),
            ("list", { _ = try store.listProviders() }),
            ("write", { try store.write(.apiKey("sk-new"), provider: "anthropic") }),
            ("delete", { _ = try store.delete(provider: "anthropic") }),
            ("encrypt", { try store.encryptFile(newPassword: Array("other".utf8)) }),
            ("decrypt", { _ = try store.decryptFile() }),
        ]
        for (name, operation) in operations {
            let error = assertStorageError(try operation(), file: file, line: line, matches)
            XCTAssertTrue(error.map { "\($0)".contains(path) } ?? false, "\(name): the message does not name the path",
                          file: file, line: line)
            XCTAssertTrue(fileBytes(path) == bytes, "\(name) changed the file", file: file, line: line)
        }
    }

    private func isInvalidEncryptedFile(_ error: StorageError, containing text: String) -> Bool {
        guard case .invalidEncryptedFile(let errorPath, let detail) = error else { return false }
        return errorPath == path && detail.contains(text)
    }

    func testWrongPasswordLeavesFileUnchanged() throws {
        let bytes = try encryptedFile(password: "right", contents: #"{"anthropic":{"type":"api","key":"k"}}"#)
        try assertRejected(bytes, password: "wrong") { $0 == .wrongPassword(path: self.path) }
    }

    func testMissingPasswordLeavesFileUnchanged() throws {
        let bytes = try encryptedFile(password: "right", contents: "{}")
        try assertRejected(bytes, password: nil) { $0 == .passwordRequired(path: self.path) }
    }

    func testTruncatedJWELeavesFileUnchanged() throws {
        let bytes = try encryptedFile(password: "pw", contents: "{}")
        let truncated = Array(bytes[..<(bytes.count - 5)])
        try assertRejected(truncated) { self.isInvalidEncryptedFile($0, containing: "authentication tag") }
    }

    func testAlteredCiphertextLeavesFileUnchanged() throws {
        var segments = try encryptedFile(password: "pw", contents: #"{"a":{"type":"api","key":"k"}}"#)
            .split(separator: UInt8(ascii: ".")).map(Array.init)
        segments[3][2] = segments[3][2] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        let altered = Array(segments.joined(separator: [UInt8(ascii: ".")]))
        try assertRejected(altered) { self.isInvalidEncryptedFile($0, containing: "altered") }
    }

    func testUnknownAlgorithmLeavesFileUnchanged() throws {
        let bytes = replacingHeader(of: try encryptedFile(password: "pw", contents: "{}")) {
            $0["alg"] = .string("PBES2-HS512+A256KW")
        }
        try assertRejected(bytes) { self.isInvalidEncryptedFile($0, containing: "PBES2-HS512+A256KW") }
    }

    func testUnknownEncryptionLeavesFileUnchanged() throws {
        let bytes = replacingHeader(of: try encryptedFile(password: "pw", contents: "{}")) {
            $0["enc"] = .string("A128CBC-HS256")
        }
        try assertRejected(bytes) { self.isInvalidEncryptedFile($0, containing: "A128CBC-HS256") }
    }

    func testIterationCapLeavesFileUnchangedWithoutPrompt() throws {
        let bytes = replacingHeader(of: try encryptedFile(password: "pw", contents: "{}")) {
            $0["p2c"] = .integer(Int64(PasswordJWE.maximumIterations) + 1)
        }
        try assertRejected(bytes) { self.isInvalidEncryptedFile($0, containing: "p2c") }

        // The cap is checked before the user is asked for a password.
        let (store, recorder) = makeStore(password: "pw")
        _ = try? store.read(provider: "anthropic")
        XCTAssertEqual(recorder.requests, [])
    }

    func testShortSaltLeavesFileUnchanged() throws {
        let bytes = replacingHeader(of: try encryptedFile(password: "pw", contents: "{}")) {
            $0["p2s"] = .string(Base64URL.encode([1, 2, 3, 4]))
        }
        try assertRejected(bytes) { self.isInvalidEncryptedFile($0, containing: "salt") }
    }

    func testDecryptedNonObjectLeavesFileUnchanged() throws {
        let bytes = try encryptedFile(password: "pw", contents: "[1, 2]")
        try assertRejected(bytes) { self.isInvalidEncryptedFile($0, containing: "array") }
    }

    // MARK: Bad plain files

    private func isUnreadable(_ error: StorageError, containing text: String) -> Bool {
        guard case .unreadableFile(let errorPath, let detail) = error else { return false }
        return errorPath == path && detail.contains(text)
    }

    func testEmptyFileLeavesFileUnchanged() throws {
        try assertRejected([]) { self.isUnreadable($0, containing: "empty") }
    }

    func testNonUTF8FileLeavesFileUnchanged() throws {
        try assertRejected([0x7b, 0xff, 0xfe, 0x7d]) { self.isUnreadable($0, containing: "UTF-8") }
    }

    func testInvalidJSONLeavesFileUnchanged() throws {
        try assertRejected(Array(#"{"anthropic": {"type": "api", "#.utf8)) { self.isUnreadable($0, containing: "JSON") }
    }

    func testWronglyTypedJSONLeavesFileUnchanged() throws {
        try assertRejected(Array(#"["anthropic"]"#.utf8)) { self.isUnreadable($0, containing: "array") }
        try assertRejected(Array(#""text""#.utf8)) { self.isUnreadable($0, containing: "string") }
    }

    func testJWEJSONSerializationLeavesFileUnchanged() throws {
        let json = #"{"protected":"eyJ","encrypted_key":"a","iv":"b","ciphertext":"c","tag":"d"}"#
        try assertRejected(Array(json.utf8)) { self.isUnreadable($0, containing: "JSON serialization") }
    }

    func testInvalidCredentialNamesProvider() throws {
        try writeFile(path, #"{"anthropic":{"type":"api","key":42}}"#)
        let store = FileStore(path: path)
        assertStorageError(try store.read(provider: "anthropic")) { error in
            guard case .invalidCredential(let provider, let location, _) = error else { return false }
            return provider == "anthropic" && location == self.path
        }
    }

    // MARK: Availability and configuration

    func testAvailabilityDoesNotAskForPassword() throws {
        try writeFile(path, try encryptedFile(password: "pw", contents: "{}"))
        let (store, recorder) = makeStore(password: "pw")
        XCTAssertEqual(store.checkAvailability(), .available)
        XCTAssertEqual(recorder.requests, [])

        let withoutPassword = FileStore(path: path)
        XCTAssertFalse(withoutPassword.checkAvailability().isAvailable)
    }

    func testConfigurationReadsPasswordAndIterations() throws {
        let home = try makeTemporaryDirectory(self)
        let configuration = try StorageConfiguration.fromEnvironment([
            "HOME": home, "CLAUDE_GATE_MASTER_PASSWORD": "sëcret", "CLAUDE_GATE_FILE_KDF_ITERATIONS": "200000",
        ])
        XCTAssertEqual(configuration.masterPassword?.bytes, Array("sëcret".utf8))
        XCTAssertEqual(configuration.fileKDFIterations, 200_000)
        XCTAssertFalse("\(configuration)".contains("sëcret"))
    }

    func testConfigurationDefaults() throws {
        let configuration = try StorageConfiguration.fromEnvironment(["HOME": try makeTemporaryDirectory(self)])
        XCTAssertNil(configuration.masterPassword)
        XCTAssertEqual(configuration.fileKDFIterations, 600_000)
    }

    func testConfigurationRejectsInvalidIterations() throws {
        let home = try makeTemporaryDirectory(self)
        for value in ["999", "10000001", "abc", "-5", "1e6"] {
            XCTAssertThrowsError(try StorageConfiguration.fromEnvironment(["HOME": home, "CLAUDE_GATE_FILE_KDF_ITERATIONS": value])) {
                guard case .invalidSetting(let variable, let reported, _)? = $0 as? StorageError else {
                    return XCTFail("unexpected error \($0)")
                }
                XCTAssertEqual(variable, "CLAUDE_GATE_FILE_KDF_ITERATIONS")
                XCTAssertEqual(reported, value)
            }
        }
    }
}
