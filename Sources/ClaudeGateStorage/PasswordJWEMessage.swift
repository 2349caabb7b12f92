/// The parts of a compact JWE after every check that needs no key: the
/// header fields are known and supported, `p2c` is within the cap, and each
/// part has the length that PBES2-HS256+A128KW with A256GCM gives it.
public struct PasswordJWEMessage {
    /// The first segment as it appears in the file; AES-GCM authenticates
    /// these ASCII bytes as additional data (RFC 7516 section 5.1, step 14).
    public let encodedHeader: [UInt8]
    public let header: [String: JSONValue]
    public let iterations: Int
    public let salt: [UInt8]
    public let wrappedKey: [UInt8]
    public let iv: [UInt8]
    public let ciphertext: [UInt8]
    public let tag: [UInt8]

    /// Header fields this version understands. Others, such as the `created`
    /// field of 99designs/keyring, are allowed unless listed in `crit`.
    private static let understoodHeaderFields: Set<String> = ["alg", "enc", "p2c", "p2s", "typ", "cty", "kid"]

    /// Splits and checks `compact`; surrounding ASCII whitespace is ignored.
    public init(parsing compact: [UInt8], maximumIterations: Int = PasswordJWE.maximumIterations) throws {
        let segments = trimmingASCIIWhitespace(compact).split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 5 else {
            throw PasswordJWEError.malformed("it has \(segments.count) dot-separated parts, expected 5")
        }
        encodedHeader = Array(segments[0])
        header = try Self.parseHeader(encodedHeader)

        guard case .string(let algorithm)? = header["alg"] else {
            throw PasswordJWEError.malformed("the header has no \"alg\" string")
        }
        guard algorithm == PasswordJWE.algorithm else { throw PasswordJWEError.unsupportedAlgorithm(algorithm) }
        guard case .string(let encryption)? = header["enc"] else {
            throw PasswordJWEError.malformed("the header has no \"enc\" string")
        }
        guard encryption == PasswordJWE.encryption else { throw PasswordJWEError.unsupportedEncryption(encryption) }
        if header["zip"] != nil {
            throw PasswordJWEError.unsupportedHeader("\"zip\" (compressed content)")
        }
        if let critical = header["crit"] {
            throw PasswordJWEError.unsupportedHeader("\"crit\" (\(Self.describeCritical(critical)))")
        }

        iterations = try Self.parseIterations(header["p2c"], maximum: maximumIterations)
        salt = try Self.parseSalt(header["p2s"])

        wrappedKey = try Self.decodeSegment(segments[1], name: "encrypted key", expectedLength: 40)
        iv = try Self.decodeSegment(segments[2], name: "initialization vector", expectedLength: 12)
        ciphertext = try Self.decodeSegment(segments[3], name: "ciphertext", expectedLength: nil)
        tag = try Self.decodeSegment(segments[4], name: "authentication tag", expectedLength: 16)
    }

    private static func parseHeader(_ encoded: [UInt8]) throws -> [String: JSONValue] {
        guard let json = Base64URL.decode(encoded) else {
            throw PasswordJWEError.malformed("the protected header is not valid Base64url")
        }
        guard let value = try? JSONValue.parse(json), case .object(let fields) = value else {
            throw PasswordJWEError.malformed("the protected header is not a JSON object")
        }
        return fields
    }

    private static func parseIterations(_ value: JSONValue?, maximum: Int) throws -> Int {
        guard let value else { throw PasswordJWEError.malformed("the header has no \"p2c\" iteration count") }
        guard case .integer(let count) = value else {
            throw PasswordJWEError.malformed("\"p2c\" is a JSON \(value.typeName), expected a whole number")
        }
        guard count >= 1, count <= Int64(maximum) else {
            throw PasswordJWEError.iterationCountOutOfRange(count, maximum: maximum)
        }
        return Int(count)
    }

    private static func parseSalt(_ value: JSONValue?) throws -> [UInt8] {
        guard case .string(let encoded)? = value else {
            throw PasswordJWEError.malformed("the header has no \"p2s\" salt string")
        }
        guard let salt = Base64URL.decode(encoded) else {
            throw PasswordJWEError.malformed("\"p2s\" is not valid Base64url")
        }
        guard salt.count >= PasswordJWE.minimumSaltLength else {
            throw PasswordJWEError.saltTooShort(length: salt.count, minimum: PasswordJWE.minimumSaltLength)
        }
        return salt
    }

    private static func decodeSegment(_ segment: ArraySlice<UInt8>, name: String, expectedLength: Int?) throws -> [UInt8] {
        guard let bytes = Base64URL.decode(segment) else {
            throw PasswordJWEError.malformed("the \(name) is not valid Base64url")
        }
        if let expectedLength, bytes.count != expectedLength {
            throw PasswordJWEError.malformed("the \(name) is \(bytes.count) bytes, expected \(expectedLength)")
        }
        return bytes
    }

    private static func describeCritical(_ value: JSONValue) -> String {
        guard case .array(let names) = value else { return "not an array" }
        let unknown = names.compactMap(\.stringValue).filter { !understoodHeaderFields.contains($0) }
        return unknown.isEmpty ? "critical header fields" : "unknown critical fields " + unknown.joined(separator: ", ")
    }
}

/// A failure to read or write a password-encrypted JWE.
public enum PasswordJWEError: Error, Equatable, CustomStringConvertible {
    /// The text is not a well-formed compact JWE of the supported kind.
    case malformed(String)
    case unsupportedAlgorithm(String)
    case unsupportedEncryption(String)
    case unsupportedHeader(String)
    /// `p2c` is below 1 or above the cap, checked before key derivation.
    case iterationCountOutOfRange(Int64, maximum: Int)
    case saltTooShort(length: Int, minimum: Int)
    /// The AES key unwrap integrity check failed: a wrong password, or an
    /// altered encrypted key.
    case wrongPassword
    /// The AES-GCM tag did not match although the key unwrapped: the
    /// header, IV, ciphertext or tag were altered.
    case authenticationFailed
    /// OpenSSL failed for a reason unrelated to the input.
    case cryptoFailure(String)

    public var description: String {
        switch self {
        case .malformed(let detail):
            return "it is not a valid compact JWE: \(detail)"
        case .unsupportedAlgorithm(let name):
            return "the key management algorithm \"alg\": \"\(name)\" is not supported, expected \"\(PasswordJWE.algorithm)\""
        case .unsupportedEncryption(let name):
            return "the content encryption \"enc\": \"\(name)\" is not supported, expected \"\(PasswordJWE.encryption)\""
        case .unsupportedHeader(let name):
            return "the header field \(name) is not supported"
        case .iterationCountOutOfRange(let count, let maximum):
            return "the PBKDF2 iteration count \"p2c\" is \(count), outside the accepted range 1 to \(maximum)"
        case .saltTooShort(let length, let minimum):
            return "the salt \"p2s\" is \(length) bytes, shorter than the minimum of \(minimum)"
        case .wrongPassword:
            return "the password is wrong, or the encrypted key was altered"
        case .authenticationFailed:
            return "the authentication tag does not match: the file was altered or is corrupt"
        case .cryptoFailure(let detail):
            return detail
        }
    }
}
