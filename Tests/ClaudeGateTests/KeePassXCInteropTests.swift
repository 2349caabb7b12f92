import SecretService
import XCTest

/// Round trips against KeePassXC 2.7 with an unlocked database.
final class KeePassXCInteropTests: XCTestCase {
    private static var daemon: DaemonFixture?
    private static var startError: Error?

    override class func setUp() {
        super.setUp()
        do {
            daemon = try DaemonFixture(script: "start-keepassxc.sh", requiredPrograms: ["keepassxc", "keepassxc-cli", "dbus-daemon"])
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        daemon?.stop()
        daemon = nil
        super.tearDown()
    }

    private func keepassxc() throws -> DaemonFixture {
        if let startError = Self.startError { throw startError }
        return try XCTUnwrap(Self.daemon)
    }

    func testPlainRoundTrip() throws {
        try InteropRoundTrip.run(try keepassxc(), preference: .plain, expectedAlgorithm: .plain)
    }

    func testDHRoundTrip() throws {
        try InteropRoundTrip.run(try keepassxc(), preference: .dh, expectedAlgorithm: .dhAES)
    }

    func testAutoChoosesDH() throws {
        try InteropRoundTrip.run(try keepassxc(), preference: .auto, expectedAlgorithm: .dhAES)
    }

    func testDefaultCollectionIsTheDatabase() throws {
        let client = try keepassxc().connect()
        XCTAssertEqual(try client.defaultCollection(), "/org/freedesktop/secrets/collection/database")
    }
}
