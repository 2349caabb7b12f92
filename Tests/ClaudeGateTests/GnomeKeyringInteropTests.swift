import SecretService
import XCTest

/// Round trips against gnome-keyring-daemon 42 with an unlocked login collection.
final class GnomeKeyringInteropTests: XCTestCase {
    private static var daemon: DaemonFixture?
    private static var startError: Error?

    override class func setUp() {
        super.setUp()
        do {
            daemon = try DaemonFixture(script: "start-gnome-keyring.sh", requiredPrograms: ["gnome-keyring-daemon", "dbus-daemon"])
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        daemon?.stop()
        daemon = nil
        super.tearDown()
    }

    private func keyring() throws -> DaemonFixture {
        if let startError = Self.startError { throw startError }
        return try XCTUnwrap(Self.daemon)
    }

    func testPlainRoundTrip() throws {
        try InteropRoundTrip.run(try keyring(), preference: .plain, expectedAlgorithm: .plain)
    }

    func testDHRoundTrip() throws {
        try InteropRoundTrip.run(try keyring(), preference: .dh, expectedAlgorithm: .dhAES)
    }

    func testStorageWithEachSessionSetting() throws {
        try InteropRoundTrip.runThroughStorage(try keyring())
    }

    func testAutoChoosesDH() throws {
        try InteropRoundTrip.run(try keyring(), preference: .auto, expectedAlgorithm: .dhAES)
    }

    func testDefaultCollectionIsLogin() throws {
        let client = try keyring().connect()
        XCTAssertEqual(try client.defaultCollection(), "/org/freedesktop/secrets/collection/login")
    }
}
