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

    func storage() throws -> CredentialStorage {
        if let openedStorage { return openedStorage }
        let storage = try CredentialStorage(configuration: configuration, environment: environment, log: log)
        openedStorage = storage
        return storage
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
