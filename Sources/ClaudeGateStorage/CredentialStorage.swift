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
    /// Why the primary store was chosen, in one sentence.
    public let selectionReason: String
    private let log: Log

    public var allStores: [CredentialStore] { [primary] + secondary }

    /// Opens the store that `configuration` selects.
    ///
    /// With `auto` the keyring is used when it is usable; otherwise the file
    /// is used and one warning naming the reason is written to stderr. With
    /// `keyring` an unusable keyring is an error; with `file` D-Bus is never
    /// opened. When the keyring is used, `automaticMigration` is set and
    /// `CLAUDE_GATE_AUTO_MIGRATE_TOKENS` allows it, the credentials in the
    /// file are moved into the keyring first.
    public init(configuration: StorageConfiguration, environment: [String: String], log: Log,
                automaticMigration: Bool = true) throws {
        self.configuration = configuration
        self.log = log
        let file = FileStore(path: configuration.filePath)

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

        if automaticMigration, configuration.autoMigrateTokens, let keyring = primary as? KeyringStore {
            migrateFileToKeyringAutomatically(from: file, to: keyring)
        }
    }

    /// Moves the credentials in the file into the keyring, once the keyring
    /// is usable, with the backup and verification of
    /// ``TokenMigration``, and reports it in one line on stderr.
    ///
    /// A failure or a conflict is a warning and not an error: the file is
    /// then left as it is and still read as the secondary store, so the
    /// command that triggered the migration works either way.
    private func migrateFileToKeyringAutomatically(from file: FileStore, to keyring: KeyringStore) {
        guard file.fileExists else { return }
        let migration = TokenMigration(sources: [file], destination: keyring,
                                       backups: BackupDirectory(path: configuration.backupDirectory),
                                       sourceBackupName: StorageKind.file.rawValue)
        let command = "claude-gate auth storage migrate --from file --to keyring"
        do {
            let plan = try migration.plan()
            guard !plan.isEmpty else { return }
            guard plan.conflicts.isEmpty else {
                log.warning("not moving the credentials in \(file.path) to the keyring automatically: "
                            + "\(plan.conflicts.joined(separator: ", ")) differ from the keyring's. "
                            + "Run '\(command)' to resolve it")
                return
            }
            let outcome = try migration.run(plan, force: false, command: command)
            log.notice("moved \(plan.entries.count) credential(s) from \(file.path) to the keyring "
                       + "(backup: \(outcome.backupPaths.joined(separator: ", "))); \(outcome.removals.joined(separator: "; ")). "
                       + "Set CLAUDE_GATE_AUTO_MIGRATE_TOKENS=false to keep credentials in the file")
        } catch {
            log.warning("moving the credentials in \(file.path) to the keyring failed: \(error). "
                        + "They stay in the file; run '\(command)' to retry")
        }
    }

    /// Creates the keyring store that `configuration` describes, without connecting.
    public static func makeKeyringStore(_ configuration: StorageConfiguration, environment: [String: String]) -> KeyringStore {
        let dump = configuration.dumpDBus ? MessageDump(redactedStructFields: SecretServiceNames.dumpRedactions) : nil
        let options = SecretServiceOptions(
            methodTimeout: configuration.methodTimeout, promptTimeout: configuration.promptTimeout,
            sessionAlgorithm: configuration.sessionAlgorithm, dump: dump)
        return KeyringStore(serviceName: configuration.keyringService, environment: environment, options: options)
    }

    /// Returns the provider's credential and the store that holds it, or nil.
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
