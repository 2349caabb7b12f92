import CCrypto
import DBus

/// The algorithm a ``SecretSession`` protects secrets with on the bus.
public enum SessionAlgorithm: String, Sendable {
    /// Secrets travel in the clear; any process that can eavesdrop on the
    /// bus can read them.
    case plain
    /// A DH key agreement in the RFC 2409 second Oakley group, HKDF-SHA256 and
    /// AES-128-CBC with PKCS#7 padding.
    case dhAES = "dh-ietf1024-sha256-aes128-cbc-pkcs7"
}

/// The algorithm choice for opening a session.
public enum SessionAlgorithmPreference: String, Sendable {
    /// DH, and plain only when the service returns NotSupported.
    case auto
    case dh
    case plain
}

/// A secret in the form the Secret Service transfers it.
public struct TransferredSecret {
    public var sessionPath: String
    public var parameters: [UInt8]
    public var value: [UInt8]
    public var contentType: String

    var dbusValue: DBusValue {
        .structure([.objectPath(sessionPath), .bytes(parameters), .bytes(value), .string(contentType)])
    }

    init(sessionPath: String, parameters: [UInt8], value: [UInt8], contentType: String) {
        self.sessionPath = sessionPath
        self.parameters = parameters
        self.value = value
        self.contentType = contentType
    }

    /// Reads a `(oayays)` struct; nil when the value has another shape.
    init?(_ value: DBusValue) {
        guard case .structure(let fields) = value, fields.count == 4,
              let session = fields[0].objectPathValue,
              let parameters = fields[1].bytesValue,
              let secret = fields[2].bytesValue,
              let contentType = fields[3].stringValue
        else { return nil }
        self.init(sessionPath: session, parameters: parameters, value: secret, contentType: contentType)
    }
}

/// An open session with the Secret Service, and the key that encrypts the
/// secrets sent through it.
public final class SecretSession {
    public let path: String
    public let algorithm: SessionAlgorithm
    private var key: [UInt8]

    init(path: String, algorithm: SessionAlgorithm, key: [UInt8]) {
        self.path = path
        self.algorithm = algorithm
        self.key = key
    }

    deinit {
        key.withUnsafeMutableBytes { ccrypto_cleanse($0.baseAddress, $0.count) }
    }

    /// Wraps `plaintext` for sending: with DH, encrypted under a fresh random
    /// IV that travels in the parameters.
    public func encrypt(_ plaintext: [UInt8], contentType: String) throws -> TransferredSecret {
        guard algorithm == .dhAES else {
            return TransferredSecret(sessionPath: path, parameters: [], value: plaintext, contentType: contentType)
        }
        var iv = [UInt8](repeating: 0, count: 16)
        guard ccrypto_random_bytes(&iv, iv.count) == 1 else {
            throw SecretServiceError.sessionFailed("the random number generator failed")
        }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var written = 0
        guard ccrypto_aes_cbc_encrypt(key, key.count, iv, plaintext, plaintext.count, &ciphertext, &written) == 1 else {
            throw SecretServiceError.sessionFailed("AES-128-CBC encryption failed")
        }
        ciphertext.removeSubrange(written...)
        return TransferredSecret(sessionPath: path, parameters: iv, value: ciphertext, contentType: contentType)
    }

    /// Unwraps a secret received through this session.
    public func decrypt(_ secret: TransferredSecret, itemPath: String) throws -> [UInt8] {
        guard algorithm == .dhAES else { return secret.value }
        guard secret.parameters.count == 16, secret.value.count % 16 == 0, !secret.value.isEmpty else {
            throw SecretServiceError.protocolViolation(
                "secret of \(itemPath) has a \(secret.parameters.count)-byte IV and \(secret.value.count) bytes of ciphertext")
        }
        var plaintext = [UInt8](repeating: 0, count: secret.value.count + 16)
        var written = 0
        guard ccrypto_aes_cbc_decrypt(key, key.count, secret.parameters, secret.value, secret.value.count,
                                      &plaintext, &written) == 1 else {
            plaintext.withUnsafeMutableBytes { ccrypto_cleanse($0.baseAddress, $0.count) }
            throw SecretServiceError.decryptionFailed(itemPath: itemPath)
        }
        let result = Array(plaintext[..<written])
        plaintext.withUnsafeMutableBytes { ccrypto_cleanse($0.baseAddress, $0.count) }
        return result
    }

    /// Closes the session without waiting for the reply: the service also
    /// closes it when the connection goes away, so the outcome does not matter.
    ///
    /// Calls `org.freedesktop.Secret.Session.Close`.
    func close(on connection: DBusConnection) {
        try? connection.callWithoutReply(
            destination: SecretServiceNames.busName, path: path,
            interface: SecretServiceNames.sessionInterface, member: "Close", arguments: [])
    }
}

/// A client DH key pair for one `OpenSession` attempt.
final class DHKeyPair {
    private let key: OpaquePointer
    let publicKey: [UInt8]

    /// Generates a key pair whose 128-byte public value does not start with
    /// 0xff. kwalletd5 5.103 reads such a value as a negative number and
    /// derives a different secret, so the pair is generated again.
    init() throws {
        while true {
            guard let candidate = ccrypto_dh_generate() else {
                throw SecretServiceError.sessionFailed("DH key generation failed in libcrypto")
            }
            var publicKey = [UInt8](repeating: 0, count: Int(CCRYPTO_DH_MODULUS_BYTES))
            guard ccrypto_dh_public_key(candidate, &publicKey) == 1 else {
                ccrypto_dh_free(candidate)
                throw SecretServiceError.sessionFailed("cannot export the DH public key")
            }
            if publicKey[0] == 0xff {
                ccrypto_dh_free(candidate)
                continue
            }
            self.key = candidate
            self.publicKey = publicKey
            return
        }
    }

    deinit {
        ccrypto_dh_free(key)
    }

    /// Derives the 128-byte shared secret with the server's public value.
    func sharedSecret(serverPublicKey: [UInt8]) throws -> [UInt8] {
        var secret = [UInt8](repeating: 0, count: Int(CCRYPTO_DH_MODULUS_BYTES))
        let status = ccrypto_dh_shared_secret(key, serverPublicKey, serverPublicKey.count, &secret)
        switch status {
        case 1:
            return secret
        case 0:
            throw SecretServiceError.protocolViolation(
                "the service's DH public key (\(serverPublicKey.count) bytes) is not a valid group element")
        default:
            throw SecretServiceError.sessionFailed("DH key derivation failed in libcrypto")
        }
    }
}

/// Derives the AES-128 key from a DH shared secret: HKDF-SHA256 with empty
/// salt and info over the secret padded to 128 bytes.
func sessionKey(fromSharedSecret secret: [UInt8]) throws -> [UInt8] {
    var key = [UInt8](repeating: 0, count: 16)
    guard ccrypto_hkdf_sha256(secret, secret.count, nil, 0, nil, 0, &key, key.count) == 1 else {
        throw SecretServiceError.sessionFailed("HKDF-SHA256 failed in libcrypto")
    }
    return key
}
