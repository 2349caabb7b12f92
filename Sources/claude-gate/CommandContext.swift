import CProcess
import ClaudeGateCLI
import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// The state every command uses: the environment, the settings read from it,
/// and the storage facade. The facade is opened on first use, so that
/// `--help` and usage errors never touch D-Bus.
final class CommandContext {
    let environment: [String: String]
    let configuration: StorageConfiguration
    let log: Log
    private var openedStorage: CredentialStorage?
    private let passwordPrompt = MasterPasswordPrompt()

    /// `dump` is the value of `--dump-dbus`: `text`, `pcap:FILE`, or nil when
    /// the flag is absent.
    init(environment: [String: String], dump: String?, verbose: Bool) throws {
        self.environment = environment
        var configuration = try StorageConfiguration.fromEnvironment(environment)
        if let dump {
            configuration.dbusDump = try DBusDumpSetting.parse(dump, variable: "--dump-dbus")
        }
        self.configuration = configuration

        var debug = verbose
        if let value = environment["CLAUDE_GATE_DEBUG"], !value.isEmpty {
            debug = try StorageConfiguration.flag(value, variable: "CLAUDE_GATE_DEBUG") || debug
        }
        self.log = Log(debugEnabled: debug)
    }

    /// Opens the storage facade. `automaticMigration` is false for the
    /// commands that inspect or move credentials themselves, which must see
    /// the stores as they are.
    func storage(automaticMigration: Bool = true) throws -> CredentialStorage {
        if let openedStorage { return openedStorage }
        let storage = try CredentialStorage(configuration: configuration, environment: environment, log: log,
                                            passwordPrompt: passwordPrompt.password(for:),
                                            automaticMigration: automaticMigration,
                                            isInterrupted: { cprocess_interrupt_signal() != 0 })
        openedStorage = storage
        return storage
    }

    /// Asks for the master password on the terminal, as the file store does.
    func promptForPassword(_ request: PasswordRequest) throws -> [UInt8]? {
        try passwordPrompt.password(for: request)
    }

    /// Returns the file store at the configured path, whatever storage type
    /// is selected, for the commands that manage the file itself.
    func fileStore() -> FileStore {
        FileStore(path: configuration.filePath,
                  passwordProvider: FileStore.passwordProvider(masterPassword: configuration.masterPassword,
                                                               prompt: passwordPrompt.password(for:)),
                  kdfIterations: configuration.fileKDFIterations, log: log)
    }

    /// Creates a keyring store outside the facade, for commands that name
    /// the keyring themselves, such as `auth storage migrate --to keyring`.
    func makeKeyringStore() throws -> KeyringStore {
        try CredentialStorage.makeKeyringStore(configuration, environment: environment,
                                               isInterrupted: { cprocess_interrupt_signal() != 0 })
    }

    /// Releases the storage facade, which closes the Secret Service session
    /// and the D-Bus connection once no caller holds a store. A later
    /// ``storage()`` opens it again.
    func closeStorage() {
        openedStorage = nil
    }
}

/// Seconds since 1970, for credential expiry.
func currentUnixTime() -> Int64 {
    Int64(time(nil))
}
