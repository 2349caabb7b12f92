import ClaudeGateStorage
import SecretService
import XCTest

/// Locked collections and prompts against gnome-keyring-daemon, with libgcr's
/// mock prompter answering the prompts.
final class GnomeKeyringPromptTests: XCTestCase {
    private let attributes = ["service": "claude-gate-test", "username": "prompt"]
    private let secret = Array(#"{"type":"api","key":"prompt-test"}"#.utf8)
    private let loginCollection = "/org/freedesktop/secrets/collection/login"

    private func startKeyring(_ arguments: [String]) throws -> DaemonFixture {
        try DaemonFixture(script: "start-gnome-keyring.sh", arguments: arguments,
                          requiredPrograms: ["gnome-keyring-daemon", "dbus-daemon"])
    }

    /// Stores the test secret, then locks the login collection.
    private func storeAndLock(_ client: SecretServiceClient) throws {
        try client.storeSecret(secret, label: "prompt test", attributes: attributes, contentType: "text/plain")
        let outcome = try ServiceProxy(connection: client.connection).lock([loginCollection])
        XCTAssertNil(outcome.prompt, "gnome-keyring locks without a prompt")
        XCTAssertTrue(try CollectionProxy(connection: client.connection, path: loginCollection).isLocked())
    }

    func testReadUnlocksWithPassword() throws {
        let keyring = try startKeyring(["-m", "pw:test-password"])
        let client = try keyring.connect()
        try storeAndLock(client)

        XCTAssertEqual(try client.readSecret(matching: attributes), secret)
        XCTAssertFalse(try CollectionProxy(connection: client.connection, path: loginCollection).isLocked())
    }

    func testReadAfterWrongThenRightPassword() throws {
        let keyring = try startKeyring(["-m", "pw:wrong-password pw:test-password"])
        let client = try keyring.connect()
        try storeAndLock(client)

        XCTAssertEqual(try client.readSecret(matching: attributes), secret)
    }

    func testCancelledPromptIsDismissed() throws {
        let keyring = try startKeyring(["-m", "cancel"])
        let client = try keyring.connect(promptTimeout: 60)
        try storeAndLock(client)

        let seconds = measureSeconds {
            assertThrows({ try client.readSecret(matching: attributes) }) { error in
                if case SecretServiceError.promptDismissed = error { return true }
                return false
            }
        }
        XCTAssertLessThan(seconds, 5, "a cancelled prompt must end the read at once, not after the prompt timeout")
        XCTAssertTrue(try CollectionProxy(connection: client.connection, path: loginCollection).isLocked())
    }

    /// Without a prompter gnome-keyring dismisses every prompt at once, and
    /// the client must return then, not after the 60 s prompt timeout.
    func testNoPrompterDismissesAtOnce() throws {
        let keyring = try startKeyring([])
        let client = try keyring.connect(promptTimeout: 60)
        try storeAndLock(client)

        let seconds = measureSeconds {
            assertThrows({ try client.readSecret(matching: attributes) }) { error in
                if case SecretServiceError.promptDismissed = error { return true }
                return false
            }
        }
        XCTAssertLessThan(seconds, 5)
    }

    func testStoreIntoLockedCollectionUnlocksIt() throws {
        let keyring = try startKeyring(["-m", "pw:test-password"])
        let client = try keyring.connect()
        try storeAndLock(client)

        let replacement = Array(#"{"type":"api","key":"replaced"}"#.utf8)
        try client.storeSecret(replacement, label: "prompt test", attributes: attributes, contentType: "text/plain")
        XCTAssertEqual(try client.readSecret(matching: attributes), replacement)
    }

    func testDeleteInLockedCollectionUnlocksIt() throws {
        let keyring = try startKeyring(["-m", "pw:test-password"])
        let client = try keyring.connect()
        try storeAndLock(client)

        XCTAssertEqual(try client.deleteSecrets(matching: attributes), 1)
        XCTAssertNil(try client.readSecret(matching: attributes))
    }

    /// A locked item must be reported as locked, never as "no credential".
    func testLockedKeyringIsNotReportedAsMissing() throws {
        let keyring = try startKeyring(["-m", "cancel"])
        let client = try keyring.connect()
        try storeAndLock(client)

        let options = SecretServiceOptions(methodTimeout: 10, promptTimeout: 10)
        let store = KeyringStore(serviceName: "claude-gate-test", environment: keyring.environment, options: options)
        assertThrows({ try store.read(provider: "prompt") }) { error in
            if case StorageError.keyring(_, .promptDismissed) = error { return true }
            return false
        }
    }

    func testCreateDefaultCollectionThroughPrompt() throws {
        let keyring = try startKeyring(["-n", "-m", "pw:new-password"])
        let client = try keyring.connect()
        assertThrows({ try client.defaultCollection() }) { error in
            error as? SecretServiceError == .noDefaultCollection
        }

        let created = try client.createDefaultCollection(label: "Login")
        XCTAssertTrue(created.created)
        XCTAssertEqual(try client.defaultCollection(), created.path)

        try client.storeSecret(secret, label: "prompt test", attributes: attributes, contentType: "text/plain")
        XCTAssertEqual(try client.readSecret(matching: attributes), secret)

        let again = try client.createDefaultCollection(label: "Login")
        XCTAssertFalse(again.created)
        XCTAssertEqual(again.path, created.path)
    }

    func testCreateDefaultCollectionWithoutPrompterIsDismissed() throws {
        let keyring = try startKeyring(["-n"])
        let client = try keyring.connect(promptTimeout: 60)

        let seconds = measureSeconds {
            assertThrows({ try client.createDefaultCollection(label: "Login") }) { error in
                if case SecretServiceError.promptDismissed = error { return true }
                return false
            }
        }
        XCTAssertLessThan(seconds, 5)
    }
}
