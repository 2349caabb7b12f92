import SecretService
import XCTest

/// Round trips against kwalletd5 (KF5 5.103) with an open wallet.
final class KWalletInteropTests: XCTestCase {
    private static let script = "start-kwallet.sh"

    private func kwallet() throws -> DaemonFixture {
        try SharedDaemons.fixture(script: Self.script, requiredPrograms: ["kwalletd5", "dbus-daemon"])
    }

    override class func tearDown() {
        SharedDaemons.stop(script: script)
        super.tearDown()
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
