import ClaudeGateStorage
import DBus
import Foundation
import SecretService
import XCTest

/// Faults that no real daemon produces on demand, from
/// scripts/test-daemons/fake-secret-service.py. Each must end in a clear
/// error, within a bounded time, without a crash.
final class FaultInjectionTests: XCTestCase {
    /// The attributes of the item the fake service stores.
    private let storedAttributes = ["service": "claude-gate-test", "username": "fake"]
    private let storedCredential = Array(#"{"type":"api","key":"fake-key"}"#.utf8)

    private func startFake(_ scenario: String) throws -> DaemonFixture {
        try DaemonFixture(script: "start-fake-service.sh", arguments: [scenario],
                          requiredPrograms: ["dbus-daemon", "python3"])
    }

    private func keyringStore(_ daemon: DaemonFixture, methodTimeout: Double = 5) -> KeyringStore {
        let options = SecretServiceOptions(methodTimeout: methodTimeout, promptTimeout: 5)
        return KeyringStore(serviceName: "claude-gate-test", environment: daemon.environment, options: options)
    }

    func testHealthyFakeRoundTrip() throws {
        let fake = try startFake("healthy")
        let client = try fake.connect()
        XCTAssertEqual(try client.readSecret(matching: storedAttributes), storedCredential)
        XCTAssertEqual(client.sessionAlgorithm, .plain, "auto falls back to plain on NotSupported")

        assertThrows({ try fake.connect(session: .dh).readSecret(matching: storedAttributes) }) { error in
            if case SecretServiceError.dbus(let dbusError) = error {
                return dbusError.errorName == "org.freedesktop.DBus.Error.NotSupported"
            }
            return false
        }
    }

    func testPromptThatNeverCompletesTimesOut() throws {
        let fake = try startFake("prompt-never-completes")
        let client = try fake.connect(promptTimeout: 1.5)

        let seconds = measureSeconds {
            assertThrows({ try client.readSecret(matching: storedAttributes) }) { error in
                if case SecretServiceError.promptTimedOut(_, 1.5) = error { return true }
                return false
            }
        }
        XCTAssertGreaterThanOrEqual(seconds, 1.5)
        XCTAssertLessThan(seconds, 4)

        // Dismiss is sent without waiting for a reply, so it may arrive late.
        let dismissedMarker = fake.stateDirectory + "/dismissed"
        let deadline = monotonicSeconds() + 3
        while !FileManager.default.fileExists(atPath: dismissedMarker) && monotonicSeconds() < deadline {
            usleep(50_000)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dismissedMarker), "the timed-out prompt was not dismissed")
    }

    func testPromptTimeoutDoesNotSwitchToFile() throws {
        let fake = try startFake("prompt-never-completes")
        var configuration = StorageConfiguration(filePath: fake.stateDirectory + "/home/.claude-gate/auth.json")
        configuration.keyringService = "claude-gate-test"
        configuration.promptTimeout = 1
        let storage = try CredentialStorage(configuration: configuration, environment: fake.environment,
                                            log: Log(debugEnabled: false))
        XCTAssertEqual(storage.primary.kind, .keyring)

        assertThrows({ try storage.read(provider: "fake") }) { error in
            if case StorageError.keyring(_, .promptTimedOut) = error { return true }
            return false
        }
    }

    func testPromptDismissedAtOnceDoesNotWait() throws {
        let fake = try startFake("prompt-dismissed-at-once")
        let client = try fake.connect(promptTimeout: 60)

        let seconds = measureSeconds {
            assertThrows({ try client.readSecret(matching: storedAttributes) }) { error in
                if case SecretServiceError.promptDismissed = error { return true }
                return false
            }
        }
        XCTAssertLessThan(seconds, 2)
    }

    /// Completed arrives as a broadcast before the reply to Prompt, the way
    /// KeePassXC sends it, and must not be lost.
    func testPromptCompletedBeforeReplyIsSeen() throws {
        let fake = try startFake("prompt-completes-early")
        let client = try fake.connect(promptTimeout: 60)

        var secret: [UInt8]?
        let seconds = measureSeconds {
            secret = try? client.readSecret(matching: storedAttributes)
        }
        XCTAssertEqual(secret, storedCredential)
        XCTAssertLessThan(seconds, 2)
    }

    func testLockedItemInUnlockedCollectionIsUnlocked() throws {
        let fake = try startFake("item-locked")
        let client = try fake.connect()
        XCTAssertEqual(try client.readSecret(matching: storedAttributes), storedCredential)
    }

    func testCreateItemPromptResultIsTheItem() throws {
        let fake = try startFake("create-item-prompt")
        let client = try fake.connect()
        let attributes = ["service": "claude-gate-test", "username": "created"]

        let item = try client.storeSecret(storedCredential, label: "created", attributes: attributes,
                                          contentType: "text/plain")
        XCTAssertTrue(item.hasPrefix("/org/freedesktop/secrets/collection/fake/"), item)
        XCTAssertEqual(try client.readSecret(matching: attributes), storedCredential)
    }

    /// The next call either reaches the bus after the service exited
    /// (ServiceUnknown) or while it exits (NoReply from the bus); both must
    /// read as "no Secret Service".
    func testServiceExitBetweenCallsIsUnavailable() throws {
        let fake = try startFake("exit-after-search")
        let client = try fake.connect()

        let seconds = measureSeconds {
            assertThrows({ try client.readSecret(matching: storedAttributes) }) { error in
                if case SecretServiceError.serviceUnavailable(let address) = error {
                    return address == fake.environment["DBUS_SESSION_BUS_ADDRESS"]
                }
                return false
            }
        }
        XCTAssertLessThan(seconds, 2)
    }

    func testWrongReplySignatureIsProtocolViolation() throws {
        let fake = try startFake("wrong-signature")
        let client = try fake.connect()

        let seconds = measureSeconds {
            let error = assertThrows({ try client.readSecret(matching: storedAttributes) }) { error in
                if case SecretServiceError.protocolViolation = error { return true }
                return false
            }
            XCTAssertTrue("\(error.map { "\($0)" } ?? "")".contains("SearchItems"), "the error names the method")
        }
        XCTAssertLessThan(seconds, 2)
    }

    func testSecretNotUTF8IsInvalidCredential() throws {
        let fake = try startFake("secret-not-utf8")
        let error = assertThrows({ try keyringStore(fake).read(provider: "fake") }) { error in
            if case StorageError.invalidCredential(let provider, _, let detail) = error {
                return provider == "fake" && detail.contains("UTF-8")
            }
            return false
        }
        XCTAssertFalse("\(error.map { "\($0)" } ?? "")".contains("not utf-8"), "the secret must not appear in the error")
    }

    func testSecretNotJSONIsInvalidCredential() throws {
        let fake = try startFake("secret-not-json")
        let error = assertThrows({ try keyringStore(fake).read(provider: "fake") }) { error in
            if case StorageError.invalidCredential(let provider, _, let detail) = error {
                return provider == "fake" && detail.contains("JSON")
            }
            return false
        }
        XCTAssertFalse("\(error.map { "\($0)" } ?? "")".contains("this is not json"), "the secret must not appear in the error")
    }

    func testSlowReplyTimesOut() throws {
        let fake = try startFake("slow-reply")
        let client = try fake.connect(methodTimeout: 1)

        let seconds = measureSeconds {
            assertThrows({ try client.readSecret(matching: storedAttributes) }) { error in
                if case SecretServiceError.dbus(.timedOut(let member, 1)) = error {
                    return member == "org.freedesktop.Secret.Service.SearchItems"
                }
                return false
            }
        }
        XCTAssertGreaterThanOrEqual(seconds, 1)
        XCTAssertLessThan(seconds, 3)
    }

    /// A timeout while choosing the store must surface as an error: with
    /// `auto` the file must not be chosen silently because the keyring is slow.
    func testSlowServiceDoesNotSwitchToFile() throws {
        let fake = try startFake("slow-reply")
        var configuration = StorageConfiguration(filePath: fake.stateDirectory + "/home/.claude-gate/auth.json")
        configuration.keyringService = "claude-gate-test"
        configuration.methodTimeout = 1
        let storage = try CredentialStorage(configuration: configuration, environment: fake.environment,
                                            log: Log(debugEnabled: false))
        XCTAssertEqual(storage.primary.kind, .keyring)

        let seconds = measureSeconds {
            assertThrows({ try storage.write(.apiKey("not stored"), provider: "fake") }) { error in
                if case StorageError.keyring(_, .dbus(.timedOut)) = error { return true }
                return false
            }
        }
        XCTAssertLessThan(seconds, 1, "the recorded timeout is reported without waiting again")
        XCTAssertFalse(FileManager.default.fileExists(atPath: configuration.filePath))
    }

    func testNoDefaultCollectionIsUnavailable() throws {
        let fake = try startFake("no-default")
        let availability = keyringStore(fake).checkAvailability()
        guard case .unavailable(let reason, _) = availability else {
            return XCTFail("expected the keyring to be unavailable, got \(availability)")
        }
        XCTAssertTrue(reason.contains("no default collection"), reason)
    }

    func testCreateDefaultCollectionRunsPrompt() throws {
        let fake = try startFake("no-default")
        let client = try fake.connect()

        let created = try client.createDefaultCollection(label: "Login")
        XCTAssertTrue(created.created)
        XCTAssertEqual(created.path, "/org/freedesktop/secrets/collection/created")
        XCTAssertEqual(try client.defaultCollection(), created.path)
    }
}
