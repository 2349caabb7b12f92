@testable import SecretService
import XCTest

/// The client half of the DH key agreement, without a daemon.
final class DHKeyAgreementTests: XCTestCase {
    /// kwalletd5 and gnome-keyring send their public key as 127, 128 or 129
    /// bytes (a leading zero byte dropped, or a sign byte added). Each form
    /// must give the same shared secret.
    func testServerKeyLengthsGiveSameSecret() throws {
        let client = try DHKeyPair()
        let server = try DHKeyPair()
        let expected = try client.sharedSecret(serverPublicKey: server.publicKey)

        let withSignByte = [0] + server.publicKey
        XCTAssertEqual(try client.sharedSecret(serverPublicKey: withSignByte), expected, "129 bytes")

        var stripped = server.publicKey
        while stripped.first == 0 { stripped.removeFirst() }
        XCTAssertEqual(try client.sharedSecret(serverPublicKey: stripped), expected, "\(stripped.count) bytes")

        XCTAssertEqual(try server.sharedSecret(serverPublicKey: client.publicKey), expected, "both sides agree")
    }

    /// A 127-byte key must be read as a number, not rejected for its length.
    func testShortServerKeyIsAccepted() throws {
        let client = try DHKeyPair()
        var server = try DHKeyPair()
        // About 1 key in 256 starts with a zero byte, so a few hundred tries find one.
        for _ in 0..<5_000 where server.publicKey[0] != 0 {
            server = try DHKeyPair()
        }
        try XCTSkipIf(server.publicKey[0] != 0, "no key with a leading zero byte in 5,000 tries")

        let expected = try client.sharedSecret(serverPublicKey: server.publicKey)
        let short = Array(server.publicKey.dropFirst())
        XCTAssertEqual(short.count, 127)
        XCTAssertEqual(try client.sharedSecret(serverPublicKey: short), expected)
    }

    /// kwalletd5 misreads a client key whose first byte is 0xff.
    func testClientKeyNeverStartsWithFF() throws {
        for _ in 0..<2_000 {
            let key = try DHKeyPair()
            XCTAssertEqual(key.publicKey.count, 128)
            XCTAssertNotEqual(key.publicKey[0], 0xff)
        }
    }

    func testInvalidServerKeysAreRejected() throws {
        let client = try DHKeyPair()
        let invalidKeys: [(String, [UInt8])] = [
            ("zero", [0]),
            ("one", [1]),
            ("all ones (above the prime)", [UInt8](repeating: 0xff, count: 128)),
            ("longer than the modulus", [1] + [UInt8](repeating: 0, count: 128)),
        ]
        for (name, key) in invalidKeys {
            XCTAssertThrowsError(try client.sharedSecret(serverPublicKey: key), name) { error in
                guard case SecretServiceError.protocolViolation = error else {
                    return XCTFail("\(name): expected protocolViolation, got \(error)")
                }
            }
        }
    }
}
