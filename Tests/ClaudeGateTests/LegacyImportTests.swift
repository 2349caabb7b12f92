import Foundation
import XCTest

/// `auth storage migrate --from legacy`: the stores of the Go claude-gate,
/// built in each test the way the Go program left them.
final class LegacyImportTests: XCTestCase {
    private var sandbox: CLISandbox!

    override func setUpWithError() throws {
        sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
    }

    private func migrateLegacy(to destination: String, extraEnvironment: [String: String] = [:]) throws -> CLIResult {
        try sandbox.run(["auth", "storage", "migrate", "--from", "legacy", "--to", destination, "--yes"],
                        extraEnvironment: extraEnvironment)
    }

    /// Creates a collection labelled `claude-gate` holding one
    /// 99designs/keyring item per sample credential, as the Go claude-gate
    /// stored them: attribute `profile` = `claude-gate.PROVIDER`, label = the
    /// key, secret = the JSON of a Go keyring.Item whose `Data` is the
    /// base64 of the credential's JSON. gnome-keyring's CreateCollection
    /// needs a prompt, which the test daemon cannot show, so the collection
    /// is made with gnome-keyring's CreateWithMasterPassword. The collection
    /// is deleted at the end of the test.
    private func createLegacySecretServiceItems() throws {
        let script = """
        import base64, json, sys
        import secretstorage
        from jeepney import DBusAddress, new_method_call
        connection = secretstorage.dbus_init()
        service = DBusAddress("/org/freedesktop/secrets", bus_name="org.freedesktop.secrets",
                              interface="org.freedesktop.Secret.Service")
        session = connection.send_and_get_reply(new_method_call(service, "OpenSession", "sv", ("plain", ("s", "")))).body[1]
        internal = DBusAddress("/org/freedesktop/secrets", bus_name="org.freedesktop.secrets",
                               interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface")
        reply = connection.send_and_get_reply(new_method_call(
            internal, "CreateWithMasterPassword", "a{sv}(oayays)",
            ({"org.freedesktop.Secret.Collection.Label": ("s", "claude-gate")},
             (session, b"", b"legacy-test-password", "text/plain"))))
        collection = secretstorage.Collection(connection, reply.body[0])
        print(reply.body[0])
        for provider, credential in json.loads(sys.stdin.read()).items():
            key = "claude-gate." + provider
            item = {"Key": key, "Data": base64.b64encode(json.dumps(credential).encode()).decode(),
                    "Label": "", "Description": "", "KeychainNotTrustApplication": False,
                    "KeychainNotSynchronizable": False}
            collection.create_item(key, {"profile": key}, json.dumps(item, separators=(",", ":")).encode(),
                                   replace=True, content_type="application/json")
        """
        let credentials = String(decoding: try JSONSerialization.data(withJSONObject: SampleCredentials.all), as: UTF8.self)
        // The credentials go through stdin, because argv is visible to every process.
        let created = try runProcess(TestEnvironment.systemPython, ["-c", script], environment: sandbox.environment,
                                     stdin: Data(credentials.utf8))
        XCTAssertEqual(created.status, 0, created.stderr)
        let collectionPath = created.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)

        let environment = sandbox.environment
        addTeardownBlock {
            let delete = "import secretstorage, sys; secretstorage.Collection(secretstorage.dbus_init(), sys.argv[1]).delete()"
            _ = try? runProcess(TestEnvironment.systemPython, ["-c", delete, collectionPath], environment: environment)
        }
    }

    /// Counts the items with a `profile` attribute of the Go claude-gate.
    private func legacyItemCount() throws -> Int {
        let script = """
        import secretstorage
        connection = secretstorage.dbus_init()
        print(sum(1 for collection in secretstorage.get_all_collections(connection)
                  for item in collection.get_all_items()
                  if item.get_attributes().get("profile", "").startswith("claude-gate.")))
        """
        let result = try runProcess(TestEnvironment.systemPython, ["-c", script], environment: sandbox.environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        return Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func testSecretServiceItemsMoveToKeyring() throws {
        try createLegacySecretServiceItems()
        XCTAssertEqual(try legacyItemCount(), SampleCredentials.providers.count)

        let result = try migrateLegacy(to: "keyring")
        XCTAssertEqual(result.status, 0, result.stderr)

        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(try sandbox.keyringCredential(provider), SampleCredentials.all[provider]), provider)
        }
        XCTAssertEqual(try legacyItemCount(), 0)
        let backup = try XCTUnwrap(sandbox.backupFiles().first)
        XCTAssertTrue(backup.hasSuffix("-legacy.json"), backup)
    }

    func testSecretServiceItemsMoveToFile() throws {
        try createLegacySecretServiceItems()

        let result = try migrateLegacy(to: "file")
        XCTAssertEqual(result.status, 0, result.stderr)

        let file = try XCTUnwrap(try sandbox.fileCredentials())
        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(file[provider], SampleCredentials.all[provider]), provider)
        }
        XCTAssertEqual(try legacyItemCount(), 0)
    }

    func testGoAuthFileMovesToKeyring() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)

        let result = try migrateLegacy(to: "keyring")
        XCTAssertEqual(result.status, 0, result.stderr)

        for provider in SampleCredentials.providers {
            XCTAssertTrue(sameCredential(try sandbox.keyringCredential(provider), SampleCredentials.all[provider]), provider)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
    }

    func testGoAuthFileMovesToCustomFilePath() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)
        let custom = sandbox.home.appendingPathComponent("profiles/work/auth.json").path

        let result = try migrateLegacy(to: "file", extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_PATH": custom])
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertEqual(try sandbox.fileCredentials(path: custom)?.keys.sorted(), SampleCredentials.providers)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testGoAuthFileIsNotItsOwnDestination() throws {
        try sandbox.writeAuthFile(SampleCredentials.all)

        let result = try migrateLegacy(to: "file")
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertTrue(result.stdoutText.contains("Nothing to migrate"), result.stdoutText)
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath + ".migrated"))
    }

    func testEncryptedFileKeyringWithoutPasswordIsKept() throws {
        let directory = sandbox.home.appendingPathComponent(".claude-gate/keyring").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let item = directory + "/claude-gate.anthropic"
        XCTAssertTrue(FileManager.default.createFile(atPath: item, contents: Data("eyJhbGciOiJQQkVTMi1IUzI1NitBMTI4S1cifQ.a.b.c.d".utf8)))

        let result = try migrateLegacy(to: "keyring")
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertTrue(result.stderr.contains("1 file(s) of the Go claude-gate's encrypted file keyring"), result.stderr)
        XCTAssertTrue(result.stderr.contains("no password was given"), result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: item))
    }

    /// Builds the file the 99designs/keyring file backend writes with
    /// jwcrypto (see ninetyNineDesignsScript) and imports it.
    func testEncryptedFileKeyringIsImported() throws {
        let directory = sandbox.home.appendingPathComponent(".claude-gate/keyring").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let item = directory + "/claude-gate.anthropic"
        let token = #"{"type":"api","key":"legacy-file-key-0123456789"}"#
        let build = try runProcess(TestEnvironment.systemPython, ["-c", ninetyNineDesignsScript],
                                   environment: sandbox.environment.merging(["JWE_TEST_PASSWORD": "go-file-password"]) { $1 },
                                   stdin: Data(token.utf8))
        XCTAssertEqual(build.status, 0, build.stderr)
        XCTAssertTrue(FileManager.default.createFile(atPath: item, contents: build.stdout,
                                                     attributes: [.posixPermissions: 0o600]))

        let wrong = try migrateLegacy(to: "keyring", extraEnvironment: ["CLAUDE_GATE_MASTER_PASSWORD": "not-it"])
        XCTAssertEqual(wrong.status, 5, wrong.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: item))

        let result = try migrateLegacy(to: "keyring", extraEnvironment: ["CLAUDE_GATE_MASTER_PASSWORD": "go-file-password"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try sandbox.run(["auth", "token"]).stdoutText, "legacy-file-key-0123456789\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: item))
        XCTAssertTrue(FileManager.default.fileExists(atPath: item + ".migrated"))
    }
}
