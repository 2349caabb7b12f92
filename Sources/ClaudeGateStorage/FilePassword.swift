/// The reason ``FileStore`` requests the master password.
public enum PasswordPurpose: Sendable, Equatable {
    /// `auth.json` is encrypted and cannot be read without the password.
    case decryptFile
    /// `auth.json` is plain JSON or missing and is about to be written.
    /// Returning a password encrypts it; returning nil writes plain JSON,
    /// which ``FileStore/lastWriteFormat`` then reports.
    case encryptFile
}

/// A request for the master password of one file.
public struct PasswordRequest: Sendable, Equatable {
    public let path: String
    public let purpose: PasswordPurpose

    public init(path: String, purpose: PasswordPurpose) {
        self.path = path
        self.purpose = purpose
    }
}

/// Supplies the master password as UTF-8 bytes, or nil when there is none.
/// The CLI passes its no-echo terminal prompt here; ``FileStore`` overwrites
/// the returned bytes with zeros once it has used them.
///
/// NOTE: Swift arrays are copied on write, so copies that the provider keeps
/// or made earlier (for example while the password was a String) are not
/// overwritten.
public typealias PasswordProvider = (PasswordRequest) throws -> [UInt8]?

/// The two layouts of `auth.json`.
public enum AuthFileFormat: String, Sendable, Equatable {
    /// An unencrypted JSON object of provider name to credential.
    case plainJSON = "plain JSON"
    /// One compact JWE (PBES2-HS256+A128KW, A256GCM) whose plaintext is
    /// the plain JSON layout.
    case encryptedJWE = "encrypted JWE"

    /// Detects the layout from the file's bytes without decrypting them.
    /// Anything that is not shaped like a compact JWE counts as plain JSON,
    /// so that the JSON parser reports what is wrong with it.
    public init(detecting bytes: [UInt8]) {
        self = PasswordJWE.looksLikeCompactSerialization(bytes) ? .encryptedJWE : .plainJSON
    }
}

extension FileStore {
    /// Combines the sources of the master password: `masterPassword` (from
    /// `CLAUDE_GATE_MASTER_PASSWORD`) when set, else `prompt`, which the CLI
    /// can implement as a no-echo terminal prompt. Returns nil when neither
    /// exists, so files are read and written as plain JSON only.
    public static func passwordProvider(masterPassword: MasterPassword?,
                                        prompt: PasswordProvider?) -> PasswordProvider? {
        if let masterPassword {
            return { _ in masterPassword.bytes }
        }
        return prompt
    }
}
