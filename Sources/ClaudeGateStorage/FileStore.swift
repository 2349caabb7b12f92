/// Credentials in `auth.json`, in the layout of the earlier Go claude-gate.
///
/// Every change is a read-modify-write under an exclusive lock on the
/// file's directory, and every write replaces the file atomically.
public final class FileStore: CredentialStore {
    public let kind = StorageKind.file
    public let path: String

    public var location: String { path }

    public init(path: String) {
        self.path = path
    }

    private var directory: String { parentDirectory(of: path) }

    public func checkAvailability() -> StoreAvailability {
        do {
            _ = try loadDocument()
            return .available
        } catch {
            return .unavailable(reason: "\(error)")
        }
    }

    public func read(provider: String) throws -> Credential? {
        try credential(for: provider, in: loadDocument())
    }

    public func write(_ credential: Credential, provider: String) throws {
        try SecureFile.withExclusiveLock(onDirectory: directory) {
            var document = try loadDocument()
            document.setCredential(credential, for: provider)
            try SecureFile.writeAtomically(try document.serialized(), to: path)
        }
    }

    @discardableResult
    public func delete(provider: String) throws -> Bool {
        try SecureFile.withExclusiveLock(onDirectory: directory) {
            var document = try loadDocument()
            guard document.entries.removeValue(forKey: provider) != nil else { return false }

            // Like the Go claude-gate, remove the file with its last entry, so
            // that logging out of everything leaves no file behind.
            if document.entries.isEmpty {
                _ = try SecureFile.remove(path)
            } else {
                try SecureFile.writeAtomically(try document.serialized(), to: path)
            }
            return true
        }
    }

    public func listProviders() throws -> [String] {
        try loadDocument().providers
    }

    /// Whether `auth.json` exists, without reading it.
    public var fileExists: Bool {
        (try? SecureFile.read(path)) != nil
    }

    /// Reads the document; a missing file is an empty document.
    func loadDocument() throws -> AuthDocument {
        guard let bytes = try SecureFile.read(path) else { return AuthDocument() }
        do {
            return try AuthDocument(parsing: bytes)
        } catch let error as CredentialFormatError {
            throw StorageError.unreadableFile(path: path, detail: error.detail)
        }
    }

    private func credential(for provider: String, in document: AuthDocument) throws -> Credential? {
        do {
            return try document.credential(for: provider)
        } catch let error as CredentialFormatError {
            throw StorageError.invalidCredential(provider: provider, location: path, detail: error.detail)
        }
    }
}
