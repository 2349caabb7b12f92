/// Credentials in `auth.json`, in the layout of the earlier Go claude-gate,
/// optionally encrypted with a master password as one compact JWE.
///
/// Every change is a read-modify-write under an exclusive lock on the
/// file's directory, and every write replaces the file atomically. A file
/// that cannot be read or decrypted is never overwritten: each change fails
/// with a ``StorageError`` naming the path instead.
public final class FileStore: CredentialStore {
    public let kind = StorageKind.file
    public let path: String
    /// PBKDF2 iterations (`p2c`) used whenever the file is encrypted.
    public let kdfIterations: Int
    private let passwordProvider: PasswordProvider?
    let log: Log

    /// The format of this store's last successful write, or nil before the
    /// first one. The CLI warns when it is ``AuthFileFormat/plainJSON``.
    public private(set) var lastWriteFormat: AuthFileFormat?

    public var location: String { path }

    /// - Parameters:
    ///   - path: The absolute path of `auth.json`.
    ///   - passwordProvider: Called when a password is needed to decrypt
    ///     the file, or may be used to encrypt a plain one; nil means the
    ///     file is only ever plain JSON and an encrypted file cannot be read.
    ///   - kdfIterations: PBKDF2 iterations for writes, from
    ///     ``PasswordJWE/minimumIterationSetting`` to
    ///     ``PasswordJWE/maximumIterations``.
    ///   - log: Receives a warning when a file or directory mode is tightened.
    public init(path: String, passwordProvider: PasswordProvider? = nil,
                kdfIterations: Int = PasswordJWE.defaultIterations, log: Log = Log(debugEnabled: false)) {
        self.path = path
        self.passwordProvider = passwordProvider
        self.kdfIterations = kdfIterations
        self.log = log
    }

    private var directory: String { parentDirectory(of: path) }

    /// Whether the last write stored the credentials unencrypted.
    public var lastWriteWasUnencrypted: Bool {
        lastWriteFormat == .plainJSON
    }

    /// Checks that the file can be read, without asking for a password or
    /// decrypting: an encrypted file is available when its header is valid
    /// and a password provider exists.
    public func checkAvailability() -> StoreAvailability {
        do {
            guard let bytes = try SecureFile.read(path, warn: warn) else { return .available }
            switch AuthFileFormat(detecting: bytes) {
            case .plainJSON:
                _ = try parsePlain(bytes)
            case .encryptedJWE:
                _ = try parseEncryptedMessage(bytes)
                if passwordProvider == nil {
                    throw StorageError.passwordRequired(path: path)
                }
            }
            return .available
        } catch {
            return .unavailable(reason: "\(error)")
        }
    }

    public func read(provider: String) throws -> Credential? {
        var loaded = try loadFile()
        defer { loaded.cleanse() }
        return try credential(for: provider, in: loaded.document)
    }

    public func write(_ credential: Credential, provider: String) throws {
        try SecureFile.withExclusiveLock(onDirectory: directory, warn: warn) {
            var loaded = try loadFile()
            defer { loaded.cleanse() }
            loaded.document.setCredential(credential, for: provider)
            try store(loaded)
        }
    }

    @discardableResult
    public func delete(provider: String) throws -> Bool {
        try SecureFile.withExclusiveLock(onDirectory: directory, warn: warn) {
            var loaded = try loadFile()
            defer { loaded.cleanse() }
            guard loaded.document.entries.removeValue(forKey: provider) != nil else { return false }

            // Like the Go claude-gate, remove the file with its last entry, so
            // that logging out of everything leaves no file behind.
            if loaded.document.entries.isEmpty {
                _ = try SecureFile.remove(path)
            } else {
                try store(loaded)
            }
            return true
        }
    }

    public func listProviders() throws -> [String] {
        var loaded = try loadFile()
        defer { loaded.cleanse() }
        return loaded.document.providers
    }

    /// Whether `auth.json` exists, without reading it.
    public var fileExists: Bool {
        (try? SecureFile.read(path, warn: warn)) != nil
    }

    /// Returns the format of `auth.json` without decrypting it, or nil when
    /// the file does not exist.
    public func detectFormat() throws -> AuthFileFormat? {
        guard let bytes = try SecureFile.read(path, warn: warn) else { return nil }
        return AuthFileFormat(detecting: bytes)
    }

    /// Encrypts `auth.json` in place with `newPassword`, in one atomic
    /// replacement under the lock. An encrypted file is decrypted with the
    /// password provider's password first, so this also changes the
    /// password. A missing file becomes an encrypted empty document.
    public func encryptFile(newPassword: [UInt8]) throws {
        guard !newPassword.isEmpty else { throw StorageError.emptyPassword(path: path) }
        try SecureFile.withExclusiveLock(onDirectory: directory, warn: warn) {
            var loaded = try loadFile()
            defer { loaded.cleanse() }
            loaded.cleansePassword()
            loaded.password = newPassword
            try store(loaded)
        }
    }

    /// Rewrites `auth.json` in place as plain JSON, in one atomic replacement
    /// under the lock. Returns false, changing nothing, when the file is
    /// missing or already plain.
    @discardableResult
    public func decryptFile() throws -> Bool {
        try SecureFile.withExclusiveLock(onDirectory: directory, warn: warn) {
            var loaded = try loadFile()
            defer { loaded.cleanse() }
            guard loaded.format == .encryptedJWE else { return false }
            try SecureFile.writeAtomically(try loaded.document.serialized(), to: path, warn: warn)
            lastWriteFormat = .plainJSON
            return true
        }
    }

    /// Reads and, when needed, decrypts the file; a missing file is an empty
    /// document.
    func loadDocument() throws -> AuthDocument {
        var loaded = try loadFile()
        defer { loaded.cleanse() }
        return loaded.document
    }

    private func credential(for provider: String, in document: AuthDocument) throws -> Credential? {
        do {
            return try document.credential(for: provider)
        } catch let error as CredentialFormatError {
            throw StorageError.invalidCredential(provider: provider, location: path, detail: error.detail)
        }
    }

    private func warn(_ message: String) {
        log.warning(message)
    }
}

/// The contents of `auth.json` as read, with what is needed to write it back
/// in the same format.
struct LoadedAuthFile {
    var document: AuthDocument
    /// nil when the file did not exist.
    var format: AuthFileFormat?
    /// The password that decrypted the file, or that will encrypt it.
    var password: [UInt8]?

    mutating func cleansePassword() {
        if password != nil { clearSecret(&password!) }
        password = nil
    }

    mutating func cleanse() {
        cleansePassword()
    }
}

extension FileStore {
    /// Reads the file, detects its format and decrypts it when encrypted.
    func loadFile() throws -> LoadedAuthFile {
        guard var bytes = try SecureFile.read(path, warn: warn) else {
            return LoadedAuthFile(document: AuthDocument(), format: nil, password: nil)
        }
        defer { clearSecret(&bytes) }

        switch AuthFileFormat(detecting: bytes) {
        case .plainJSON:
            return LoadedAuthFile(document: try parsePlain(bytes), format: .plainJSON, password: nil)
        case .encryptedJWE:
            return try decrypt(bytes)
        }
    }

    private func decrypt(_ bytes: [UInt8]) throws -> LoadedAuthFile {
        // Every check that needs no key runs first, so that a corrupt file or
        // a hostile p2c fails before a password prompt and key derivation.
        _ = try parseEncryptedMessage(bytes)
        guard var password = try passwordProvider?(PasswordRequest(path: path, purpose: .decryptFile)) else {
            throw StorageError.passwordRequired(path: path)
        }

        var plaintext: [UInt8]
        do {
            plaintext = try PasswordJWE.decrypt(bytes, password: password)
        } catch PasswordJWEError.wrongPassword {
            clearSecret(&password)
            throw StorageError.wrongPassword(path: path)
        } catch let error as PasswordJWEError {
            clearSecret(&password)
            throw StorageError.invalidEncryptedFile(path: path, detail: error.description)
        }
        defer { clearSecret(&plaintext) }

        do {
            let document = try AuthDocument(parsing: plaintext)
            return LoadedAuthFile(document: document, format: .encryptedJWE, password: password)
        } catch let error as CredentialFormatError {
            clearSecret(&password)
            throw StorageError.invalidEncryptedFile(path: path, detail: "it decrypted, but \(error.detail)")
        }
    }

    func parseEncryptedMessage(_ bytes: [UInt8]) throws -> PasswordJWEMessage {
        do {
            return try PasswordJWEMessage(parsing: bytes)
        } catch let error as PasswordJWEError {
            throw StorageError.invalidEncryptedFile(path: path, detail: error.description)
        }
    }

    func parsePlain(_ bytes: [UInt8]) throws -> AuthDocument {
        let document: AuthDocument
        do {
            document = try AuthDocument(parsing: bytes)
        } catch let error as CredentialFormatError {
            throw StorageError.unreadableFile(path: path, detail: error.detail)
        }
        // A JWE in JSON serialization is a JSON object too, but its fields
        // are not providers; rewriting it would keep the file undecryptable.
        if document.entries["ciphertext"] != nil && (document.entries["protected"] != nil || document.entries["iv"] != nil) {
            throw StorageError.unreadableFile(
                path: path, detail: "it is a JWE in JSON serialization, and only the compact serialization is supported")
        }
        return document
    }

    /// Writes `loaded.document` encrypted when `loaded` has a password or the
    /// password provider offers one for encryption, else as plain JSON.
    func store(_ loaded: LoadedAuthFile) throws {
        let staleCount = SecureFile.removeStaleTemporaryFiles(for: path)
        if staleCount > 0 {
            log.debug("removed \(staleCount) temporary file(s) that an interrupted write left next to \(path)")
        }

        var password = loaded.password
        if password == nil {
            password = try passwordProvider?(PasswordRequest(path: path, purpose: .encryptFile))
        }
        defer { if password != nil { clearSecret(&password!) } }

        var plaintext = try loaded.document.serialized()
        defer { clearSecret(&plaintext) }

        // An empty password for a file that was not encrypted means "none".
        // A file that was encrypted stays encrypted with the password that
        // opened it, even an empty one.
        if let password, !password.isEmpty || loaded.format == .encryptedJWE {
            let compact = try PasswordJWE.encrypt(plaintext, password: password, iterations: kdfIterations)
            try SecureFile.writeAtomically(compact, to: path, warn: warn)
            lastWriteFormat = .encryptedJWE
        } else {
            try SecureFile.writeAtomically(plaintext, to: path, warn: warn)
            lastWriteFormat = .plainJSON
        }
    }
}
