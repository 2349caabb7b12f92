import CCrypto

/// A JWE in compact serialization (RFC 7516) encrypted with a password:
/// `alg` PBES2-HS256+A128KW and `enc` A256GCM (RFC 7518 sections 4.8 and
/// 5.3). This is the format of an encrypted `auth.json`, and also the format
/// the Go 99designs/keyring file backend writes, so those files decrypt too.
public enum PasswordJWE {
    public static let algorithm = "PBES2-HS256+A128KW"
    public static let encryption = "A256GCM"

    /// PBKDF2-HMAC-SHA256 iterations written by default: the OWASP Password
    /// Storage Cheat Sheet value for PBKDF2-HMAC-SHA256 (600,000, 2023).
    public static let defaultIterations = 600_000

    /// The largest `p2c` this version reads or writes. A file's header
    /// chooses how long key derivation runs, so a hostile or corrupt file
    /// could otherwise make every read hang: the cap is checked before any
    /// key derivation. It is about 16 times the default: one derivation at
    /// the cap took 2.6 s with OpenSSL 3.0 on a 2-core AMD EPYC virtual
    /// machine, against 0.27 s at the default.
    public static let maximumIterations = 10_000_000

    /// The smallest iteration count accepted for writing. RFC 7518 section
    /// 4.8.1.2 recommends at least 1,000; reading accepts any count from 1
    /// so that files of other programs still open.
    public static let minimumIterationSetting = 1_000

    /// Length of the random `p2s` salt that this version writes, in bytes.
    public static let writtenSaltLength = 16

    /// The shortest `p2s` accepted when reading: RFC 7518 section 4.8.1.1
    /// requires at least 8 bytes. It is below ``writtenSaltLength`` because
    /// the 99designs/keyring file backend (through jose2go) writes 12.
    public static let minimumSaltLength = 8

    private static let contentKeyLength = 32
    private static let keyEncryptionKeyLength = 16

    /// Encrypts `plaintext` with a key derived from `password` and returns
    /// the compact serialization as ASCII bytes. `extraHeader` adds fields to
    /// the protected header; it cannot replace the fields this function sets.
    public static func encrypt(_ plaintext: [UInt8], password: [UInt8], iterations: Int,
                               extraHeader: [String: JSONValue] = [:]) throws -> [UInt8] {
        guard (1...maximumIterations).contains(iterations) else {
            throw PasswordJWEError.iterationCountOutOfRange(Int64(iterations), maximum: maximumIterations)
        }
        let salt = try randomBytes(writtenSaltLength)
        var header = extraHeader
        header["alg"] = .string(algorithm)
        header["enc"] = .string(encryption)
        header["p2c"] = .integer(Int64(iterations))
        header["p2s"] = .string(Base64URL.encode(salt))
        let encodedHeader = Array(Base64URL.encode(try JSONValue.object(header).serialized()).utf8)

        var keyEncryptionKey = try deriveKeyEncryptionKey(password: password, salt: salt, iterations: iterations)
        defer { clearSecret(&keyEncryptionKey) }
        var contentKey = try randomBytes(contentKeyLength)
        defer { clearSecret(&contentKey) }
        let wrappedKey = try wrap(contentKey, with: keyEncryptionKey)

        let iv = try randomBytes(Int(CCRYPTO_GCM_IV_BYTES))
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count)
        var tag = [UInt8](repeating: 0, count: Int(CCRYPTO_GCM_TAG_BYTES))
        let status = ccrypto_aes_256_gcm_encrypt(contentKey, iv, encodedHeader, encodedHeader.count,
                                                 plaintext, plaintext.count, &ciphertext, &tag)
        guard status == 1 else { throw PasswordJWEError.cryptoFailure("AES-256-GCM encryption failed") }

        let segments = [String(decoding: encodedHeader, as: UTF8.self), Base64URL.encode(wrappedKey),
                        Base64URL.encode(iv), Base64URL.encode(ciphertext), Base64URL.encode(tag)]
        return Array(segments.joined(separator: ".").utf8)
    }

    /// Decrypts a compact JWE and returns the plaintext. Every header check,
    /// including the `p2c` cap, runs before the key derivation.
    public static func decrypt(_ compact: [UInt8], password: [UInt8],
                               maximumIterations: Int = maximumIterations) throws -> [UInt8] {
        let message = try PasswordJWEMessage(parsing: compact, maximumIterations: maximumIterations)

        var keyEncryptionKey = try deriveKeyEncryptionKey(password: password, salt: message.salt,
                                                          iterations: message.iterations)
        defer { clearSecret(&keyEncryptionKey) }
        var contentKey = try unwrap(message.wrappedKey, with: keyEncryptionKey)
        defer { clearSecret(&contentKey) }

        var plaintext = [UInt8](repeating: 0, count: message.ciphertext.count)
        let status = ccrypto_aes_256_gcm_decrypt(contentKey, message.iv, message.encodedHeader,
                                                 message.encodedHeader.count, message.ciphertext,
                                                 message.ciphertext.count, message.tag, &plaintext)
        guard status == 1 else { throw PasswordJWEError.authenticationFailed }
        return plaintext
    }

    /// Reports whether `bytes`, without surrounding ASCII whitespace, have the shape
    /// of a compact JWE: five Base64url segments whose first one starts like
    /// an encoded JSON object. A plain `auth.json` starts with `{` instead.
    public static func looksLikeCompactSerialization(_ bytes: [UInt8]) -> Bool {
        let trimmed = trimmingASCIIWhitespace(bytes)
        guard trimmed.starts(with: Array("ey".utf8)) else { return false }
        var dots = 0
        for byte in trimmed {
            if byte == UInt8(ascii: ".") {
                dots += 1
            } else if !isBase64URLCharacter(byte) {
                return false
            }
        }
        return dots == 4
    }

    static func deriveKeyEncryptionKey(password: [UInt8], salt: [UInt8], iterations: Int) throws -> [UInt8] {
        // RFC 7518 section 4.8.1.1: the PBKDF2 salt is UTF8(alg) || 0x00 || p2s.
        let saltInput = Array(algorithm.utf8) + [0] + salt
        var key = [UInt8](repeating: 0, count: keyEncryptionKeyLength)
        let status = ccrypto_pbkdf2_hmac_sha256(password, password.count, saltInput, saltInput.count,
                                                UInt32(iterations), &key, key.count)
        guard status == 1 else { throw PasswordJWEError.cryptoFailure("PBKDF2-HMAC-SHA256 failed") }
        return key
    }

    private static func wrap(_ contentKey: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        var wrapped = [UInt8](repeating: 0, count: contentKey.count + Int(CCRYPTO_KEY_WRAP_OVERHEAD_BYTES))
        var length = 0
        let status = ccrypto_aes_key_wrap(keyEncryptionKey, keyEncryptionKey.count, contentKey, contentKey.count,
                                          &wrapped, &length)
        guard status == 1, length == wrapped.count else {
            throw PasswordJWEError.cryptoFailure("AES key wrap failed")
        }
        return wrapped
    }

    private static func unwrap(_ wrappedKey: [UInt8], with keyEncryptionKey: [UInt8]) throws -> [UInt8] {
        var contentKey = [UInt8](repeating: 0, count: wrappedKey.count)
        var length = 0
        let status = ccrypto_aes_key_unwrap(keyEncryptionKey, keyEncryptionKey.count, wrappedKey, wrappedKey.count,
                                            &contentKey, &length)
        // The RFC 3394 integrity check fails both for a wrong password and for
        // an altered encrypted key, and the two cases look the same.
        guard status == 1, length == contentKeyLength else { throw PasswordJWEError.wrongPassword }
        contentKey.removeLast(contentKey.count - length)
        return contentKey
    }

    private static func randomBytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard ccrypto_random_bytes(&bytes, count) == 1 else {
            throw PasswordJWEError.cryptoFailure("the OpenSSL random number generator failed")
        }
        return bytes
    }

    static func isBase64URLCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
            return true
        default:
            return false
        }
    }
}

func trimmingASCIIWhitespace(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
    let isWhitespace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }
    guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
          let last = bytes.lastIndex(where: { !isWhitespace($0) }) else { return [] }
    return bytes[first...last]
}
