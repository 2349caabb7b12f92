import SecretService
import XCTest

/// Round trips against kwalletd5 (KF5 5.103) with an open wallet.
final class KWalletInteropTests: XCTestCase {
    private static var daemon: DaemonFixture?
    private static var startError: Error?

    override class func setUp() {
        super.setUp()
        do {
            daemon = try DaemonFixture(script: "start-kwallet.sh", requiredPrograms: ["kwalletd5", "dbus-daemon"])
        } catch {
            startError = error
        }
    }

    override class func tearDown() {
        daemon?.stop()
        daemon = nil
        super.tearDown()
    }

    private func kwallet() throws -> DaemonFixture {
        if let startError = Self.startError { throw startError }
        return try XCTUnwrap(Self.daemon)
    }

    func testPlainRoundTrip() throws {
        try InteropRoundTrip.run(try kwallet(), preference: .plain, expectedAlgorithm: .plain)
    }

    func testDHRoundTrip() throws {
        try InteropRoundTrip.run(try kwallet(), preference: .dh, expectedAlgorithm: .dhAES)
    }

    func testStorageWithEachSessionSetting() throws {
        try InteropRoundTrip.runThroughStorage(try kwallet())
    }

    func testAutoChoosesDH() throws {
        try InteropRoundTrip.run(try kwallet(), preference: .auto, expectedAlgorithm: .dhAES)
    }

    func testDefaultCollectionIsTheWallet() throws {
        let client = try kwallet().connect()
        XCTAssertEqual(try client.defaultCollection(), "/org/freedesktop/secrets/collection/kdewallet")
    }
}
