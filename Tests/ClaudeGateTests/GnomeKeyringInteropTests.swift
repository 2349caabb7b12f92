import SecretService
import XCTest

/// Round trips against gnome-keyring-daemon 42 with an unlocked login collection.
final class GnomeKeyringInteropTests: XCTestCase {
    private static let script = "start-gnome-keyring.sh"

    private func keyring() throws -> DaemonFixture {
        try SharedDaemons.fixture(script: Self.script, requiredPrograms: ["gnome-keyring-daemon", "dbus-daemon"])
    }

    override class func tearDown() {
        SharedDaemons.stop(script: script)
        super.tearDown()
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
