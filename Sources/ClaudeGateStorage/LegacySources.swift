import FoundationEssentials
import SecretService

#if canImport(Glibc)
import Glibc
#endif

/// The stores of the Go claude-gate, which kept credentials through
/// github.com/99designs/keyring under the key `claude-gate.PROVIDER`.
public enum LegacyStores {
    /// The prefix of the Go claude-gate's keyring keys.
    public static let keyPrefix = "claude-gate."

    /// Returns the provider that a 99designs/keyring key names, or nil when
    /// the key is not the Go claude-gate's or the provider name could not be
    /// a keyring attribute of this version.
    static func provider(fromKey key: String) -> String? {
        guard key.hasPrefix(keyPrefix) else { return nil }
        let provider = String(key.dropFirst(keyPrefix.count))
        return Credential.isValidProviderName(provider) ? provider : nil
    }

    /// Decodes the secret of a 99designs/keyring item: the JSON of its Go
    /// `keyring.Item` struct, `{"Key":…,"Data":…,"Label":…,"Description":…,…}`,
    /// whose `Data` is a byte slice that Go's encoding/json writes as
    /// standard base64. The decoded bytes are the credential's JSON.
    static func credential(fromItemJSON secret: [UInt8], location: String, provider: String) throws -> Credential {
        func invalid(_ detail: String) -> StorageError {
            .invalidCredential(provider: provider, location: location, detail: detail)
        }
        guard let item = try? JSONValue.parse(secret), case .object(let fields) = item else {
            throw invalid("the item is not the JSON of a 99designs/keyring item")
        }
        guard let encoded = fields["Data"]?.stringValue else {
            throw invalid("the 99designs/keyring item has no \"Data\" string")
        }
        guard let data = Data(base64Encoded: encoded) else {
            throw invalid("\"Data\" of the 99designs/keyring item is not base64")
        }
        var bytes = [UInt8](data)
        defer { clearSecret(&bytes) }
        guard let json = try? JSONValue.parse(bytes) else {
            throw invalid("\"Data\" of the 99designs/keyring item is not JSON")
        }
        do {
            return try Credential(json: json)
        } catch let error as CredentialFormatError {
            throw invalid(error.detail)
        }
    }

    /// Returns the files of the 99designs/keyring file backend in
    /// `directory` that belong to the Go claude-gate, sorted.
    public static func keyringFiles(in directory: String) -> [String] {
        (SecureFile.entryNames(in: directory) ?? []).filter { provider(fromKey: $0) != nil }.map { directory + "/" + $0 }
    }
}

/// The Go claude-gate's encrypted file keyring: 99designs/keyring's file
/// backend kept each key in `~/.claude-gate/keyring/claude-gate.PROVIDER`,
/// one compact JWE (PBES2-HS256+A128KW, A256GCM) of the JSON of a
/// `keyring.Item`, encrypted with the file password the user typed.
public final class LegacyKeyringFiles: MigrationSource {
    public let directory: String
    private let password: MasterPassword
    private let warn: (String) -> Void

    public init(directory: String, password: MasterPassword, warn: @escaping (String) -> Void = { _ in }) {
        self.directory = directory
        self.password = password
        self.warn = warn
    }

    public var sourceDescription: String {
        "the Go claude-gate's encrypted file keyring in \(directory)"
    }

    public func listProviders() throws -> [String] {
        LegacyStores.keyringFiles(in: directory).compactMap { LegacyStores.provider(fromKey: baseName(of: $0)) }
    }

    public func read(provider: String) throws -> Credential? {
        let path = directory + "/" + LegacyStores.keyPrefix + provider
        guard var bytes = try SecureFile.read(path, warn: warn) else { return nil }
        defer { clearSecret(&bytes) }

        var plaintext: [UInt8]
        do {
            plaintext = try PasswordJWE.decrypt(bytes, password: password.bytes)
        } catch PasswordJWEError.wrongPassword {
            throw StorageError.wrongPassword(path: path)
        } catch let error as PasswordJWEError {
            throw StorageError.invalidEncryptedFile(path: path, detail: error.description)
        }
        defer { clearSecret(&plaintext) }
        return try LegacyStores.credential(fromItemJSON: plaintext, location: path, provider: provider)
    }

    /// Renames each migrated file to `NAME.migrated`, as a migrated
    /// `auth.json` is, so that the encrypted copy stays until the user
    /// deletes it and a later migration does not find it again.
    public func removeMigrated(_ verified: [String: Credential]) throws -> String {
        var renamed: [String] = []
        for provider in verified.keys.sorted() where try read(provider: provider) == verified[provider] {
            let path = directory + "/" + LegacyStores.keyPrefix + provider
            guard rename(path, path + ".migrated") == 0 else {
                throw StorageError.fileSystem(path: path, operation: "renaming to \(path).migrated", errno: errno)
            }
            renamed.append(provider)
        }
        if renamed.isEmpty {
            return "no file of the Go claude-gate's file keyring was renamed"
        }
        try SecureFile.syncDirectory(directory)
        return "renamed the Go claude-gate's keyring files for \(renamed.joined(separator: ", ")) to NAME.migrated"
    }
}

/// The Go claude-gate's Secret Service items: 99designs/keyring stored each
/// key as an item with the attribute `profile` = key (`claude-gate.PROVIDER`)
/// in a collection labelled `claude-gate`, created on first use. Items are
/// found by that attribute in every collection, so they are imported
/// wherever they ended up.
public final class LegacySecretServiceItems: MigrationSource {
    private let keyring: KeyringStore
    /// Item paths by provider, filled by ``listProviders()``.
    private var itemPaths: [String: [String]] = [:]

    public static let keyAttribute = "profile"

    public init(keyring: KeyringStore) {
        self.keyring = keyring
    }

    public var sourceDescription: String {
        "the Go claude-gate's Secret Service items (attribute \(Self.keyAttribute)=\(LegacyStores.keyPrefix)PROVIDER)"
    }

    public func listProviders() throws -> [String] {
        let client = try keyring.client()
        let items = try legacyOperation("listing the Go claude-gate's items") { try client.allItems() }
        itemPaths = [:]
        for item in items {
            guard let key = item.attributes[Self.keyAttribute], let provider = LegacyStores.provider(fromKey: key) else {
                continue
            }
            itemPaths[provider, default: []].append(item.path)
        }
        return itemPaths.keys.sorted()
    }

    /// Returns the credential of the first item for `provider`, as
    /// 99designs/keyring does when several items have the same key.
    public func read(provider: String) throws -> Credential? {
        if itemPaths.isEmpty { _ = try listProviders() }
        guard let path = itemPaths[provider]?.first else { return nil }
        let client = try keyring.client()
        var secret = try legacyOperation("reading the Go claude-gate's item for '\(provider)'") {
            try client.readSecret(itemPath: path)
        }
        defer { clearSecret(&secret) }
        return try LegacyStores.credential(fromItemJSON: secret, location: "the Secret Service item \(path)", provider: provider)
    }

    public func removeMigrated(_ verified: [String: Credential]) throws -> String {
        let client = try keyring.client()
        var removed: [String] = []
        for provider in verified.keys.sorted() where try read(provider: provider) == verified[provider] {
            for path in itemPaths[provider] ?? [] {
                try legacyOperation("deleting the Go claude-gate's item for '\(provider)'") {
                    try client.deleteItem(itemPath: path)
                }
            }
            removed.append(provider)
        }
        itemPaths = [:]
        if removed.isEmpty {
            return "no Go claude-gate Secret Service item was removed"
        }
        return "removed the Go claude-gate's Secret Service items for \(removed.joined(separator: ", "))"
    }

    private func legacyOperation<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SecretServiceError {
            throw StorageError.keyring(operation: operation, error)
        }
    }
}
