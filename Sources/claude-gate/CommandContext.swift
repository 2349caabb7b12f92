import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// What every command needs: the environment, the settings read from it,
/// and the storage facade, opened on first use so that `--help` and usage
/// errors never touch D-Bus.
final class CommandContext {
    let environment: [String: String]
    let configuration: StorageConfiguration
    let log: Log
    private var openedStorage: CredentialStorage?

    init(environment: [String: String], dumpDBus: Bool, verbose: Bool) throws {
        self.environment = environment
        var configuration = try StorageConfiguration.fromEnvironment(environment)
        if dumpDBus { configuration.dumpDBus = true }
        self.configuration = configuration

        var debug = verbose
        if let value = environment["CLAUDE_GATE_DEBUG"], !value.isEmpty {
            debug = debug || (value != "0" && value.lowercased() != "false")
        }
        self.log = Log(debugEnabled: debug)
    }

    func storage() throws -> CredentialStorage {
        if let openedStorage { return openedStorage }
        let storage = try CredentialStorage(configuration: configuration, environment: environment, log: log)
        openedStorage = storage
        return storage
    }
}

/// Seconds since 1970, for credential expiry.
func currentUnixTime() -> Int64 {
    Int64(time(nil))
}
