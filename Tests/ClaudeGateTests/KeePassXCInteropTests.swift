import SecretService
import XCTest

/// Round trips against KeePassXC 2.7 with an unlocked database.
final class KeePassXCInteropTests: XCTestCase {
    private static let script = "start-keepassxc.sh"

    private func keepassxc() throws -> DaemonFixture {
        try SharedDaemons.fixture(script: Self.script, requiredPrograms: ["keepassxc", "keepassxc-cli", "dbus-daemon"])
    }

    override class func tearDown() {
        SharedDaemons.stop(script: script)
        super.tearDown()
    }

    func testPlainRoundTrip() throws {
        try InteropRoundTrip.run(try keepassxc(), preference: .plain, expectedAlgorithm: .plain)
    }

    func testDHRoundTrip() throws {
        try InteropRoundTrip.run(try keepassxc(), preference: .dh, expectedAlgorithm: .dhAES)
    }

    func testStorageWithEachSessionSetting() throws {
        try InteropRoundTrip.runThroughStorage(try keepassxc())
    }

    func testAutoChoosesDH() throws {
        try InteropRoundTrip.run(try keepassxc(), preference: .auto, expectedAlgorithm: .dhAES)
    }

    func testDefaultCollectionIsTheDatabase() throws {
        let client = try keepassxc().connect()
        XCTAssertEqual(try client.defaultCollection(), "/org/freedesktop/secrets/collection/database")
    }

    /// A locked KeePassXC holds SearchItems or the Unlock prompt behind its
    /// own unlock dialog, which cannot be answered offscreen. The read must end
    /// within the method and prompt timeouts. This test uses its own daemon
    /// because the dialog stays open until KeePassXC is killed.
    func testLockedDatabaseReadEndsWithinTimeouts() throws {
        let daemon = try DaemonFixture(script: "start-keepassxc.sh",
                                       requiredPrograms: ["keepassxc", "keepassxc-cli", "dbus-daemon"])
        defer { daemon.stop() }
        let client = try daemon.connect(methodTimeout: 2, promptTimeout: 2)
        let attributes = ["service": "claude-gate-test", "username": "locked"]
        try client.storeSecret(Array("{}".utf8), label: "locked", attributes: attributes, contentType: "text/plain")
        let collection = try client.defaultCollection()
        // KeePassXC 2.7 locks through a prompt that completes without a dialog.
        if let prompt = try ServiceProxy(connection: client.connection).lock([collection]).prompt {
            _ = try PromptRunner(connection: client.connection, timeout: 5).run(prompt)
        }
        XCTAssertTrue(try CollectionProxy(connection: client.connection, path: collection).isLocked())

        var outcome: Result<[UInt8]?, Error> = .success(nil)
        let seconds = measureSeconds {
            outcome = Result { try client.readSecret(matching: attributes) }
        }
        print("locked KeePassXC: read ended after \(String(format: "%.1f", seconds)) s with \(outcome)")
        XCTAssertThrowsError(try outcome.get()) { error in
            switch error {
            case SecretServiceError.dbus(.timedOut), SecretServiceError.promptTimedOut: break
            default: XCTFail("expected a timeout, got \(error)")
            }
        }
        XCTAssertLessThan(seconds, 2 + 2 + 2, "at most one method timeout and one prompt timeout, with margin")
    }
}
