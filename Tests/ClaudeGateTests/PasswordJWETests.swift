import CCrypto
import Foundation
import XCTest
@testable import ClaudeGateStorage

/// Encrypts standard input with jwcrypto and writes the compact JWE.
let jwcryptoEncryptScript = """
import os, sys
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode
algs = ['PBES2-HS256+A128KW', 'A256GCM']
key = jwk.JWK.from_password(os.environ['JWE_TEST_PASSWORD'])
token = jwe.JWE(sys.stdin.buffer.read(), protected=json_encode({'alg': algs[0], 'enc': algs[1]}), algs=algs)
token.add_recipient(key)
sys.stdout.write(token.serialize(compact=True))
"""

/// Decrypts the compact JWE on standard input with jwcrypto and writes the
/// plaintext.
let jwcryptoDecryptScript = """
import os, sys
from jwcrypto import jwe, jwk
algs = ['PBES2-HS256+A128KW', 'A256GCM']
key = jwk.JWK.from_password(os.environ['JWE_TEST_PASSWORD'])
token = jwe.JWE(algs=algs)
token.deserialize(sys.stdin.read().strip(), key=key)
sys.stdout.buffer.write(token.payload)
"""

/// Writes what the 99designs/keyring file backend writes for one item: the
/// item as JSON, encrypted by jose2go with PBES2-HS256+A128KW, A256GCM,
/// p2c 8192, a 12-byte p2s and a `created` header field. jwcrypto also
/// uses p2c 8192; its salt generator is narrowed to 12 bytes for the p2s
/// (the only 128-bit draw in this encryption), as jose2go draws.
let ninetyNineDesignsScript = """
import base64, json, os, sys
from jwcrypto import jwa, jwe, jwk
from jwcrypto.common import json_encode
algs = ['PBES2-HS256+A128KW', 'A256GCM']
original = jwa._randombits
jwa._randombits = lambda bits: os.urandom(12) if bits == 128 else original(bits)
item = {'Key': 'claude-gate', 'Data': base64.b64encode(sys.stdin.buffer.read()).decode(), 'Label': 'claude-gate',
        'Description': '', 'KeychainNotTrustApplication': False, 'KeychainNotSynchronizable': False}
header = {'alg': algs[0], 'created': '2026-12-04 21:10:00.123456789 +0000 UTC m=+0.001', 'enc': algs[1]}
key = jwk.JWK.from_password(os.environ['JWE_TEST_PASSWORD'])
token = jwe.JWE(json.dumps(item, separators=(',', ':')).encode(), protected=json_encode(header), algs=algs)
token.add_recipient(key)
sys.stdout.write(token.serialize(compact=True))
"""

final class PasswordJWETests: XCTestCase {
    let password = Array("correct horse battery staple ü".utf8)
    let plaintext = Array(#"{"anthropic":{"type":"api","key":"sk-test"}}"#.utf8)

    // MARK: Base64url

    func testBase64URLRoundTrip() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let encoded = Base64URL.encode(bytes)
            XCTAssertFalse(encoded.contains("="), "padding in \(encoded)")
            XCTAssertEqual(Base64URL.decode(encoded), bytes, "length \(length)")
        }
    }

    func testBase64URLKnownValues() {
        XCTAssertEqual(Base64URL.encode(Array("{\"".utf8)), "eyI")
        XCTAssertEqual(Base64URL.encode([0xfb, 0xff]), "-_8")
        XCTAssertEqual(Base64URL.decode("-_8"), [0xfb, 0xff])
    }

    func testBase64URLRejectsInvalidText() {
        for text in ["a", "ab=", "ab+c", "ab/c", "ab c", "AB", "AAB", "abcde"] {
            XCTAssertNil(Base64URL.decode(text), "'\(text)' decoded")
        }
    }

    // MARK: Primitives

    func testKeyDerivationMatchesRFC7517Example() throws {
        // RFC 7517 Appendix C: a PBES2-HS256+A128KW key encryption key.
        let password = Array("Thus from my lips, by yours, my sin is purged.".utf8)
        let salt = try XCTUnwrap(Base64URL.decode("2WCTcJZ1Rvd_CJuJripQ1w"))
        let key = try PasswordJWE.deriveKeyEncryptionKey(password: password, salt: salt, iterations: 4096)
        XCTAssertEqual(key, [110, 171, 169, 92, 129, 92, 109, 117, 233, 242, 116, 233, 170, 14, 24, 75])
    }

    func testKeyWrapMatchesRFC7517Example() throws {
        let keyEncryptionKey: [UInt8] = [110, 171, 169, 92, 129, 92, 109, 117, 233, 242, 116, 233, 170, 14, 24, 75]
        let contentKey: [UInt8] = [111, 27, 25, 52, 66, 29, 20, 78, 92, 176, 56, 240, 65, 208, 82, 112,
                                   161, 131, 36, 55, 202, 236, 185, 172, 129, 23, 153, 194, 195, 48, 253, 182]
        var wrapped = [UInt8](repeating: 0, count: 40)
        var length = 0
        XCTAssertEqual(ccrypto_aes_key_wrap(keyEncryptionKey, 16, contentKey, 32, &wrapped, &length), 1)
        XCTAssertEqual(length, 40)
        XCTAssertEqual(Base64URL.encode(wrapped), "TrqXOwuNUfDV9VPTNbyGvEJ9JMjefAVn-TR1uIxR9p6hsRQh9Tk7BA")

        var unwrapped = [UInt8](repeating: 0, count: 40)
        XCTAssertEqual(ccrypto_aes_key_unwrap(keyEncryptionKey, 16, wrapped, 40, &unwrapped, &length), 1)
        XCTAssertEqual(Array(unwrapped[..<length]), contentKey)
    }

    func testKeyWrapMatchesRFC3394Vector() {
        // RFC 3394 section 4.1: 128 bits of key data with a 128-bit KEK.
        let keyEncryptionKey = Array(0..<16).map { UInt8($0) }
        let keyData: [UInt8] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
        var wrapped = [UInt8](repeating: 0, count: 24)
        var length = 0
        XCTAssertEqual(ccrypto_aes_key_wrap(keyEncryptionKey, 16, keyData, 16, &wrapped, &length), 1)
        XCTAssertEqual(wrapped, [0x1f, 0xa6, 0x8b, 0x0a, 0x81, 0x12, 0xb4, 0x47, 0xae, 0xf3, 0x4b, 0xd8,
                                 0xfb, 0x5a, 0x7b, 0x82, 0x9d, 0x3e, 0x86, 0x23, 0x71, 0xd2, 0xcf, 0xe5])
    }

    func testKeyUnwrapRejectsWrongKey() {
        let keyEncryptionKey = [UInt8](repeating: 1, count: 16)
        let wrongKey = [UInt8](repeating: 2, count: 16)
        var wrapped = [UInt8](repeating: 0, count: 40)
        var length = 0
        XCTAssertEqual(ccrypto_aes_key_wrap(keyEncryptionKey, 16, [UInt8](repeating: 7, count: 32), 32, &wrapped, &length), 1)
        var unwrapped = [UInt8](repeating: 0, count: 40)
        XCTAssertEqual(ccrypto_aes_key_unwrap(wrongKey, 16, wrapped, 40, &unwrapped, &length), 0)
        XCTAssertEqual(unwrapped, [UInt8](repeating: 0, count: 40))
    }

    // MARK: Round trips

    func testEncryptDecryptRoundTrip() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: testIterations)
        XCTAssertEqual(try PasswordJWE.decrypt(compact, password: password), plaintext)
    }

    func testEmptyPlaintextRoundTrip() throws {
        let compact = try PasswordJWE.encrypt([], password: password, iterations: 1)
        XCTAssertEqual(try PasswordJWE.decrypt(compact, password: password), [])
    }

    func testHeaderHasRequiredFields() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 12_345)
        let message = try PasswordJWEMessage(parsing: compact)
        XCTAssertEqual(message.header["alg"], .string("PBES2-HS256+A128KW"))
        XCTAssertEqual(message.header["enc"], .string("A256GCM"))
        XCTAssertEqual(message.header["p2c"], .integer(12_345))
        XCTAssertEqual(message.salt.count, 16)
        XCTAssertEqual(Set(message.header.keys), ["alg", "enc", "p2c", "p2s"])
    }

    func testEachEncryptionUsesFreshSaltAndIV() throws {
        let first = try PasswordJWEMessage(parsing: PasswordJWE.encrypt(plaintext, password: password, iterations: 1))
        let second = try PasswordJWEMessage(parsing: PasswordJWE.encrypt(plaintext, password: password, iterations: 1))
        XCTAssertNotEqual(first.salt, second.salt)
        XCTAssertNotEqual(first.iv, second.iv)
        XCTAssertNotEqual(first.wrappedKey, second.wrappedKey)
    }

    func testCompactSerializationDetection() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        XCTAssertTrue(PasswordJWE.looksLikeCompactSerialization(compact))
        XCTAssertTrue(PasswordJWE.looksLikeCompactSerialization(compact + Array("\n".utf8)))
        XCTAssertFalse(PasswordJWE.looksLikeCompactSerialization(plaintext))
        XCTAssertFalse(PasswordJWE.looksLikeCompactSerialization(Array("eyJ.a.b".utf8)))
        XCTAssertFalse(PasswordJWE.looksLikeCompactSerialization([]))
    }

    // MARK: Rejected input

    func testWrongPasswordFails() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: testIterations)
        XCTAssertThrowsError(try PasswordJWE.decrypt(compact, password: Array("wrong".utf8))) { error in
            XCTAssertEqual(error as? PasswordJWEError, .wrongPassword)
        }
    }

    func testAlteredSegmentsFail() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: testIterations)
        let expected: [Int: PasswordJWEError] = [1: .wrongPassword, 2: .authenticationFailed,
                                                 3: .authenticationFailed, 4: .authenticationFailed]
        for (segment, error) in expected.sorted(by: { $0.key < $1.key }) {
            let altered = flippingFirstCharacter(ofSegment: segment, in: compact)
            XCTAssertThrowsError(try PasswordJWE.decrypt(altered, password: password), "segment \(segment)") {
                XCTAssertEqual($0 as? PasswordJWEError, error, "segment \(segment)")
            }
        }
    }

    func testAlteredHeaderFailsAuthentication() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: testIterations)
        // A header with the same fields but another serialization is still
        // authenticated data, so the tag must fail.
        let altered = replacingHeader(of: compact) { header in header["typ"] = .string("JWE") }
        XCTAssertThrowsError(try PasswordJWE.decrypt(altered, password: password)) {
            XCTAssertEqual($0 as? PasswordJWEError, .authenticationFailed)
        }
    }

    func testTruncatedInputFails() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: testIterations)
        for length in [0, 1, 20, compact.count / 2, compact.count - 1] {
            XCTAssertThrowsError(try PasswordJWE.decrypt(Array(compact[..<length]), password: password),
                                 "length \(length)")
        }
    }

    func testUnknownAlgorithmRejected() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        for name in ["PBES2-HS512+A256KW", "dir", "none"] {
            let altered = replacingHeader(of: compact) { $0["alg"] = .string(name) }
            XCTAssertThrowsError(try PasswordJWEMessage(parsing: altered)) {
                XCTAssertEqual($0 as? PasswordJWEError, .unsupportedAlgorithm(name))
            }
        }
    }

    func testUnknownEncryptionRejected() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        for name in ["A128GCM", "A128CBC-HS256"] {
            let altered = replacingHeader(of: compact) { $0["enc"] = .string(name) }
            XCTAssertThrowsError(try PasswordJWEMessage(parsing: altered)) {
                XCTAssertEqual($0 as? PasswordJWEError, .unsupportedEncryption(name))
            }
        }
    }

    func testIterationCapFailsBeforeKeyDerivation() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        // At about a quarter of a microsecond per iteration, two billion
        // iterations would take minutes, so a fast failure shows that the
        // check comes before key derivation.
        let hostile = replacingHeader(of: compact) { $0["p2c"] = .integer(2_000_000_000) }
        let start = DispatchTime.now()
        XCTAssertThrowsError(try PasswordJWE.decrypt(hostile, password: password)) {
            XCTAssertEqual($0 as? PasswordJWEError,
                           .iterationCountOutOfRange(2_000_000_000, maximum: PasswordJWE.maximumIterations))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        XCTAssertLessThan(seconds, 1.0)
    }

    func testIterationCountOutOfRangeRejected() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        for count: Int64 in [0, -1, Int64(PasswordJWE.maximumIterations) + 1] {
            let altered = replacingHeader(of: compact) { $0["p2c"] = .integer(count) }
            XCTAssertThrowsError(try PasswordJWEMessage(parsing: altered)) {
                XCTAssertEqual($0 as? PasswordJWEError,
                               .iterationCountOutOfRange(count, maximum: PasswordJWE.maximumIterations))
            }
        }
    }

    func testIterationCountOfWrongTypeRejected() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        for value: JSONValue in [.string("8192"), .double(8192.5), .null] {
            let altered = replacingHeader(of: compact) { $0["p2c"] = value }
            XCTAssertThrowsError(try PasswordJWEMessage(parsing: altered), "\(value)") { error in
                guard case .malformed? = error as? PasswordJWEError else {
                    return XCTFail("unexpected error \(error)")
                }
            }
        }
    }

    func testShortSaltRejected() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        let altered = replacingHeader(of: compact) { $0["p2s"] = .string(Base64URL.encode([1, 2, 3, 4, 5, 6, 7])) }
        XCTAssertThrowsError(try PasswordJWEMessage(parsing: altered)) {
            XCTAssertEqual($0 as? PasswordJWEError, .saltTooShort(length: 7, minimum: 8))
        }
    }

    func testCriticalAndCompressedHeadersRejected() throws {
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: 1)
        let critical = replacingHeader(of: compact) { $0["crit"] = .array([.string("exp")]) }
        let compressed = replacingHeader(of: compact) { $0["zip"] = .string("DEF") }
        for altered in [critical, compressed] {
            XCTAssertThrowsError(try PasswordJWEMessage(parsing: altered)) { error in
                guard case .unsupportedHeader? = error as? PasswordJWEError else {
                    return XCTFail("unexpected error \(error)")
                }
            }
        }
    }

    func testIterationsAboveCapNotWritten() {
        XCTAssertThrowsError(try PasswordJWE.encrypt(plaintext, password: password,
                                                     iterations: PasswordJWE.maximumIterations + 1))
    }

    // MARK: Interoperability

    func testJWCryptoDecryptsOurOutput() throws {
        try requireJWCrypto()
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: testIterations)
        let result = try runJWCrypto(jwcryptoDecryptScript, password: String(decoding: password, as: UTF8.self),
                                     input: compact)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(result.stdout), plaintext)
    }

    func testJWCryptoDecryptsDefaultIterations() throws {
        try requireJWCrypto()
        let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: PasswordJWE.defaultIterations)
        let result = try runJWCrypto(jwcryptoDecryptScript, password: String(decoding: password, as: UTF8.self),
                                     input: compact)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(Array(result.stdout), plaintext)
    }

    func testWeDecryptJWCryptoOutput() throws {
        try requireJWCrypto()
        let result = try runJWCrypto(jwcryptoEncryptScript, password: String(decoding: password, as: UTF8.self),
                                     input: plaintext)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try PasswordJWE.decrypt(Array(result.stdout), password: password), plaintext)
    }

    func testWeDecrypt99DesignsKeyringFile() throws {
        try requireJWCrypto()
        let result = try runJWCrypto(ninetyNineDesignsScript, password: String(decoding: password, as: UTF8.self),
                                     input: plaintext)
        XCTAssertEqual(result.status, 0, result.stderr)

        let message = try PasswordJWEMessage(parsing: Array(result.stdout))
        XCTAssertEqual(message.salt.count, 12)
        XCTAssertEqual(message.iterations, 8192)
        XCTAssertNotNil(message.header["created"]?.stringValue)

        let item = try JSONValue.parse(PasswordJWE.decrypt(Array(result.stdout), password: password))
        let data = try XCTUnwrap(item.objectValue?["Data"]?.stringValue)
        XCTAssertEqual(item.objectValue?["Key"], .string("claude-gate"))
        XCTAssertEqual(Data(base64Encoded: data).map(Array.init), plaintext)
    }

    // MARK: Helpers

    private func flippingFirstCharacter(ofSegment index: Int, in compact: [UInt8]) -> [UInt8] {
        var segments = compact.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
        let first = segments[index][0]
        segments[index][0] = first == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        return Array(segments.joined(separator: [UInt8(ascii: ".")]))
    }
}

/// Re-encodes the protected header of `compact` after `change`, keeping the
/// other segments.
func replacingHeader(of compact: [UInt8], _ change: (inout [String: JSONValue]) -> Void) -> [UInt8] {
    var segments = compact.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).map(Array.init)
    guard let json = Base64URL.decode(segments[0]),
          case .object(var header)? = try? JSONValue.parse(json) else {
        XCTFail("the header of the test input does not parse")
        return compact
    }
    change(&header)
    segments[0] = Array(Base64URL.encode((try? JSONValue.object(header).serialized()) ?? []).utf8)
    return Array(segments.joined(separator: [UInt8(ascii: ".")]))
}
