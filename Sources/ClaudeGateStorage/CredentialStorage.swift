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
    private let log: Log
    private let isInterrupted: () -> Bool
    private let file: FileStore
    private var selectedPrimary: CredentialStore
    private var selectedSecondary: [CredentialStore]
    private var selectedReason: String

    /// True while `auto` has picked the keyring without checking it yet. A
    /// read settles the choice by trying the keyring itself, which saves the
    /// `ReadAlias` round trip on the hot path of `auth token`. Every other
    /// operation checks availability first.
    private var autoSelectionPending = false

    /// True until the first moment the keyring is known to be usable, when
    /// ``migrateFileToKeyringAutomatically()`` runs once.
    private var automaticMigrationPending: Bool

    /// The store that writes go to.
    public var primary: CredentialStore {
        settleSelection()
        return selectedPrimary
    }

    /// The stores that reads fall back to and logout also cleans.
    public var secondary: [CredentialStore] {
        settleSelection()
        return selectedSecondary
    }

    /// The reason the primary store was chosen, in one sentence.
    public var selectionReason: String {
        settleSelection()
        return selectedReason
    }

    public var allStores: [CredentialStore] { [primary] + secondary }

    /// Opens the store that `configuration` selects.
    ///
    /// With `auto` the keyring is used when it is usable; otherwise the file
    /// is used and one warning naming the reason is written to stderr. With
    /// `keyring` an unusable keyring is an error; with `file` D-Bus is never
    /// opened. When the keyring turns out usable, `automaticMigration` is set
    /// and `CLAUDE_GATE_AUTO_MIGRATE_TOKENS` allows it, the credentials in the
    /// file are moved into the keyring before the first operation.
    ///
    /// `passwordPrompt` asks the user for the master password of
    /// `auth.json` when `CLAUDE_GATE_MASTER_PASSWORD` is not set; see
    /// ``PasswordPurpose`` for when it is called. `isInterrupted` is polled
    /// while keyring calls and prompts wait, so a signal can end them (see
    /// ``SecretServiceOptions/isInterrupted``).
    public init(configuration: StorageConfiguration, environment: [String: String], log: Log,
                passwordPrompt: PasswordProvider? = nil, automaticMigration: Bool = true,
                isInterrupted: @escaping () -> Bool = { false }) throws {
        self.configuration = configuration
        self.isInterrupted = isInterrupted
        self.log = log
        file = FileStore(
            path: configuration.filePath,
            passwordProvider: FileStore.passwordProvider(masterPassword: configuration.masterPassword, prompt: passwordPrompt),
            kdfIterations: configuration.fileKDFIterations,
            log: log)
        automaticMigrationPending = automaticMigration && configuration.autoMigrateTokens

        switch configuration.storageType {
        case .file:
            selectedPrimary = file
            selectedSecondary = []
            selectedReason = "CLAUDE_GATE_AUTH_STORAGE_TYPE is file"
            log.debug("using the file \(file.path) because CLAUDE_GATE_AUTH_STORAGE_TYPE=file")

        case .keyring:
            let keyring = try Self.makeKeyringStore(configuration, environment: environment, isInterrupted: isInterrupted)
            if case .unavailable(let reason, let nextStep) = keyring.checkAvailability() {
                log.debug("the keyring is not usable and CLAUDE_GATE_AUTH_STORAGE_TYPE=keyring: \(reason)")
                throw StorageError.keyringUnavailable(reason: reason, nextStep: nextStep)
            }
            selectedPrimary = keyring
            selectedSecondary = [file]
            selectedReason = "CLAUDE_GATE_AUTH_STORAGE_TYPE is keyring"
            log.debug("using the keyring because CLAUDE_GATE_AUTH_STORAGE_TYPE=keyring")
            migrateFileToKeyringAutomatically()

        case .auto:
            selectedPrimary = try Self.makeKeyringStore(configuration, environment: environment, isInterrupted: isInterrupted)
            selectedSecondary = [file]
            selectedReason = "the keyring is usable"
            autoSelectionPending = true
        }
    }

    /// Checks the keyring that `auto` picked, and falls back to the file
    /// when it is not usable.
    private func settleSelection() {
        guard autoSelectionPending else { return }
        autoSelectionPending = false
        switch selectedPrimary.checkAvailability() {
        case .available:
            log.debug("auto: using the keyring (service '\(configuration.keyringService)'), the file as read fallback")
            migrateFileToKeyringAutomatically()
        case .unavailable(let reason, _):
            fallBackToFile(reason: reason)
        }
    }

    private func fallBackToFile(reason: String) {
        selectedPrimary = file
        selectedSecondary = []
        selectedReason = "the keyring is not usable: \(reason)"
        log.warning("the keyring is not usable (\(reason)); using the file \(file.path) instead. "
                    + "Set CLAUDE_GATE_AUTH_STORAGE_TYPE=file to choose the file and silence this warning")
    }

    /// Moves the credentials in the file into the keyring, once, when the
    /// keyring is the primary store and known to be usable. It uses the
    /// backup and verification of ``TokenMigration`` and reports the move in
    /// one line on stderr. Returns whether anything was moved.
    ///
    /// A failure or a conflict is a warning and not an error. The file is
    /// then left as it is and still read as the secondary store, so the
    /// command that triggered the migration works either way.
    @discardableResult
    private func migrateFileToKeyringAutomatically() -> Bool {
        guard automaticMigrationPending, let keyring = selectedPrimary as? KeyringStore else { return false }
        automaticMigrationPending = false
        guard file.fileExists else { return false }

        let migration = TokenMigration(sources: [file], destination: keyring,
                                       backups: BackupDirectory(configuration: configuration, log: log),
                                       sourceBackupName: StorageKind.file.rawValue)
        let command = "claude-gate auth storage migrate --from file --to keyring"
        do {
            let plan = try migration.plan()
            guard !plan.isEmpty else { return false }
            guard plan.conflicts.isEmpty else {
                log.warning("not moving the credentials in \(file.path) to the keyring automatically: "
                            + "\(plan.conflicts.joined(separator: ", ")) differ from the keyring's. "
                            + "Run '\(command)' to resolve it")
                return false
            }
            let outcome = try migration.run(plan, force: false, command: command)
            log.notice("moved \(plan.entries.count) credential(s) from \(file.path) to the keyring "
                       + "(backup: \(outcome.backupPaths.joined(separator: ", "))); \(outcome.removals.joined(separator: "; ")). "
                       + "Set CLAUDE_GATE_AUTO_MIGRATE_TOKENS=false to keep credentials in the file")
            return true
        } catch {
            log.warning("moving the credentials in \(file.path) to the keyring failed: \(error). "
                        + "They stay in the file; run '\(command)' to retry")
            return false
        }
    }

    /// Creates the keyring store that `configuration` describes, without
    /// connecting. Fails only when the D-Bus capture file cannot be created.
    public static func makeKeyringStore(
        _ configuration: StorageConfiguration, environment: [String: String], isInterrupted: @escaping () -> Bool
    ) throws -> KeyringStore {
        let dump: MessageDump?
        switch configuration.dbusDump {
        case nil:
            dump = nil
        case .text?:
            dump = MessageDump(redactedStructFields: SecretServiceNames.dumpRedactions)
        case .pcap(let path)?:
            do {
                dump = MessageDump(redactedStructFields: SecretServiceNames.dumpRedactions, capture: try PcapWriter(path: path))
            } catch let error as PcapWriterError {
                throw StorageError.fileSystem(path: path, operation: "creating the D-Bus capture", errno: error.errno)
            }
        }
        let options = SecretServiceOptions(
            methodTimeout: configuration.methodTimeout, promptTimeout: configuration.promptTimeout,
            sessionAlgorithm: configuration.sessionAlgorithm, dump: dump, isInterrupted: isInterrupted)
        return KeyringStore(serviceName: configuration.keyringService, environment: environment, options: options)
    }

    /// Returns the provider's credential and the store that contains it, or nil.
    public func read(provider: String) throws -> (credential: Credential, store: CredentialStore)? {
        if autoSelectionPending {
            autoSelectionPending = false
            do {
                let credential = try selectedPrimary.read(provider: provider)
                // The read succeeded, so the keyring is usable, and this is
                // when the file's credentials move into it. A credential
                // that moved is then found in the keyring.
                let moved = migrateFileToKeyringAutomatically()
                if let credential {
                    log.debug("auto: found '\(provider)' in the keyring")
                    return (credential, selectedPrimary)
                }
                log.debug("auto: no '\(provider)' in the keyring")
                return try read(provider: provider, from: moved ? [selectedPrimary] + selectedSecondary : selectedSecondary)
            } catch StorageError.keyring(_, let error) where error.meansServiceUnusable {
                fallBackToFile(reason: error.description)
            }
        }
        return try read(provider: provider, from: allStores)
    }

    private func read(provider: String, from stores: [CredentialStore]) throws -> (credential: Credential, store: CredentialStore)? {
        for store in stores {
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
