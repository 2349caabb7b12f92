import DBus
import SecretService

/// The storage facade the CLI uses: it picks the store according to
/// ``StorageConfiguration/storageType`` and hides which one it is.
///
/// Writes go to the ``primary`` store. Reads try the primary store first and
/// then the ``secondary`` stores, so that with `auto` a credential still in
/// the file is found after the keyring becomes usable. Logout deletes from
/// every store.
public final class CredentialStorage {
    public let configuration: StorageConfiguration
    public let primary: CredentialStore
    public let secondary: [CredentialStore]
    /// The reason the primary store was chosen, in one sentence.
    public let selectionReason: String
    private let log: Log

    public var allStores: [CredentialStore] { [primary] + secondary }

    /// Opens the store that `configuration` selects.
    ///
    /// With `auto` the keyring is used when it is usable; otherwise the file
    /// is used and one warning naming the reason is written to stderr. With
    /// `keyring` an unusable keyring is an error; with `file` D-Bus is never
    /// opened.
    ///
    /// `passwordPrompt` asks the user for the master password of
    /// `auth.json` when `CLAUDE_GATE_MASTER_PASSWORD` is not set; see
    /// ``PasswordPurpose`` for when it is called.
    public init(configuration: StorageConfiguration, environment: [String: String], log: Log,
                passwordPrompt: PasswordProvider? = nil) throws {
        self.configuration = configuration
        self.log = log
        let file = FileStore(
            path: configuration.filePath,
            passwordProvider: FileStore.passwordProvider(masterPassword: configuration.masterPassword, prompt: passwordPrompt),
            kdfIterations: configuration.fileKDFIterations,
            log: log)

        switch configuration.storageType {
        case .file:
            primary = file
            secondary = []
            selectionReason = "CLAUDE_GATE_AUTH_STORAGE_TYPE is file"
            log.debug("using the file \(file.path) because CLAUDE_GATE_AUTH_STORAGE_TYPE=file")

        case .keyring:
            let keyring = Self.makeKeyringStore(configuration, environment: environment)
            if case .unavailable(let reason) = keyring.checkAvailability() {
                log.debug("the keyring is not usable and CLAUDE_GATE_AUTH_STORAGE_TYPE=keyring: \(reason)")
                throw StorageError.keyringUnavailable(reason: reason)
            }
            primary = keyring
            secondary = [file]
            selectionReason = "CLAUDE_GATE_AUTH_STORAGE_TYPE is keyring"
            log.debug("using the keyring because CLAUDE_GATE_AUTH_STORAGE_TYPE=keyring")

        case .auto:
            let keyring = Self.makeKeyringStore(configuration, environment: environment)
            switch keyring.checkAvailability() {
            case .available:
                primary = keyring
                secondary = [file]
                selectionReason = "the keyring is usable"
                log.debug("auto: using the keyring (service '\(configuration.keyringService)'), the file as read fallback")
            case .unavailable(let reason):
                primary = file
                secondary = []
                selectionReason = "the keyring is not usable: \(reason)"
                log.warning("the keyring is not usable (\(reason)); using the file \(file.path) instead. "
                            + "Set CLAUDE_GATE_AUTH_STORAGE_TYPE=file to choose the file and silence this warning")
            }
        }
    }

    private static func makeKeyringStore(_ configuration: StorageConfiguration, environment: [String: String]) -> KeyringStore {
        let dump = configuration.dumpDBus ? MessageDump(redactedStructFields: SecretServiceNames.dumpRedactions) : nil
        let options = SecretServiceOptions(
            methodTimeout: configuration.methodTimeout, promptTimeout: configuration.promptTimeout,
            sessionAlgorithm: configuration.sessionAlgorithm, dump: dump)
        return KeyringStore(serviceName: configuration.keyringService, environment: environment, options: options)
    }

    /// Returns the provider's credential and the store that contains it, or nil.
    public func read(provider: String) throws -> (credential: Credential, store: CredentialStore)? {
        for store in allStores {
            if let credential = try store.read(provider: provider) {
                log.debug("found '\(provider)' in the \(store.kind.rawValue) store")
                return (credential, store)
            }
            log.debug("no '\(provider)' in the \(store.kind.rawValue) store")
        }
        return nil
    }

    /// Stores the provider's credential in the primary store.
    public func write(_ credential: Credential, provider: String) throws {
        try primary.write(credential, provider: provider)
        log.debug("stored '\(provider)' in the \(primary.kind.rawValue) store")
    }

    /// Deletes the provider's credential from every store and returns the
    /// kinds of the stores that held it.
    public func delete(provider: String) throws -> [StorageKind] {
        var deletedFrom: [StorageKind] = []
        for store in allStores where try store.delete(provider: provider) {
            deletedFrom.append(store.kind)
        }
        return deletedFrom
    }

    /// Returns every provider with a credential in any store, sorted.
    public func listProviders() throws -> [String] {
        var providers = Set<String>()
        for store in allStores {
            providers.formUnion(try store.listProviders())
        }
        return providers.sorted()
    }
}
