import SecretService

#if canImport(Glibc)
import Glibc
#endif

/// The value of `CLAUDE_GATE_AUTH_STORAGE_TYPE`.
public enum StorageTypeSetting: String, Sendable, CaseIterable {
    /// The keyring when it is usable, else the file with a warning.
    case auto
    /// The keyring, or an error when it is not usable.
    case keyring
    /// The file; D-Bus is never opened.
    case file
}

/// The output format of the D-Bus traffic dump, from `--dump-dbus[=FORMAT]`
/// or `CLAUDE_GATE_DBUS_DUMP`.
public enum DBusDumpSetting: Equatable, Sendable {
    /// Text lines on standard error.
    case text
    /// A pcap capture (link type DBUS) written to a file.
    case pcap(path: String)

    /// Parses `1`/`true`/`text` (text), `0`/`false` (no dump) or `pcap:FILE`.
    public static func parse(_ value: String, variable: String) throws -> DBusDumpSetting? {
        if value.hasPrefix("pcap:") {
            let path = String(value.dropFirst("pcap:".count))
            guard !path.isEmpty else {
                throw StorageError.invalidSetting(variable: variable, value: value, expected: "pcap:FILE with a file path")
            }
            return .pcap(path: path)
        }
        if value.lowercased() == "text" {
            return .text
        }
        do {
            return try StorageConfiguration.flag(value, variable: variable) ? .text : nil
        } catch {
            throw StorageError.invalidSetting(variable: variable, value: value, expected: "1, 0, text or pcap:FILE")
        }
    }
}

/// Storage settings read from the environment. Every invalid value is an
/// error that names the variable; none falls back silently to a default.
public struct StorageConfiguration: Sendable {
    public var storageType: StorageTypeSetting = .auto
    public var keyringService = StorageConfiguration.defaultKeyringService
    public var filePath: String
    public var methodTimeout = StorageConfiguration.defaultMethodTimeout
    public var promptTimeout = StorageConfiguration.defaultPromptTimeout
    public var sessionAlgorithm = SessionAlgorithmPreference.auto
    public var dbusDump: DBusDumpSetting?
    /// The password that encrypts `auth.json`, from
    /// `CLAUDE_GATE_MASTER_PASSWORD`; nil when unset or empty.
    public var masterPassword: MasterPassword?
    /// PBKDF2 iterations (`p2c`) for newly encrypted files, from
    /// `CLAUDE_GATE_FILE_KDF_ITERATIONS`.
    public var fileKDFIterations = PasswordJWE.defaultIterations
    /// Whether a command that finds the keyring usable moves the credentials
    /// that are only in the file into it (`CLAUDE_GATE_AUTO_MIGRATE_TOKENS`).
    public var autoMigrateTokens = StorageConfiguration.defaultAutoMigrateTokens
    /// `~/.claude-gate`: the home of the backups and of the Go claude-gate's
    /// files, wherever `CLAUDE_GATE_AUTH_STORAGE_PATH` puts `auth.json`.
    public var claudeGateDirectory: String

    public static let defaultKeyringService = "claude-gate"
    /// Seconds. This is the default method timeout of libdbus and GDBus. It is
    /// long enough for a person to type a short password while KeePassXC
    /// keeps SearchItems waiting behind its own unlock dialog.
    public static let defaultMethodTimeout = 25.0
    /// Seconds a person has to answer an unlock prompt.
    public static let defaultPromptTimeout = 120.0

    /// On, as in the Go claude-gate: the file fallback is meant for machines
    /// without a keyring, and a migration backs up and verifies before it
    /// removes anything.
    public static let defaultAutoMigrateTokens = true

    /// The directory of `auth.json` and its backups, under the home directory.
    public static let directoryName = ".claude-gate"

    public init(filePath: String, claudeGateDirectory: String? = nil) {
        self.filePath = filePath
        self.claudeGateDirectory = claudeGateDirectory ?? parentDirectory(of: filePath)
    }

    /// `~/.claude-gate/backups`, where backups are written (0700).
    public var backupDirectory: String { claudeGateDirectory + "/backups" }

    /// `~/.claude-gate/auth.json`, the file of the Go claude-gate, which may
    /// differ from ``filePath`` when `CLAUDE_GATE_AUTH_STORAGE_PATH` is set.
    public var legacyAuthFilePath: String { claudeGateDirectory + "/auth.json" }

    /// `~/.claude-gate/keyring`, where the Go claude-gate's 99designs/keyring
    /// file backend kept one encrypted file per key.
    public var legacyKeyringDirectory: String { claudeGateDirectory + "/keyring" }

    /// Reads the settings from `environment`.
    public static func fromEnvironment(_ environment: [String: String]) throws -> StorageConfiguration {
        let directory = try homeDirectory(environment) + "/" + directoryName
        var configuration = StorageConfiguration(filePath: directory + "/auth.json", claudeGateDirectory: directory)

        if let value = nonEmpty(environment["CLAUDE_GATE_AUTH_STORAGE_TYPE"]) {
            guard let type = StorageTypeSetting(rawValue: value.lowercased()) else {
                throw StorageError.invalidSetting(variable: "CLAUDE_GATE_AUTH_STORAGE_TYPE", value: value,
                                                  expected: "auto, keyring or file")
            }
            configuration.storageType = type
        }
        if let value = environment["CLAUDE_GATE_KEYRING_SERVICE"] {
            guard !value.isEmpty, !value.contains("\0") else {
                throw StorageError.invalidSetting(variable: "CLAUDE_GATE_KEYRING_SERVICE", value: value,
                                                  expected: "a non-empty service name such as 'claude-gate'")
            }
            configuration.keyringService = value
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_AUTH_STORAGE_PATH"]) {
            configuration.filePath = try absolutePath(value, variable: "CLAUDE_GATE_AUTH_STORAGE_PATH", environment: environment)
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_DBUS_TIMEOUT"]) {
            configuration.methodTimeout = try seconds(value, variable: "CLAUDE_GATE_DBUS_TIMEOUT")
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_PROMPT_TIMEOUT"]) {
            configuration.promptTimeout = try seconds(value, variable: "CLAUDE_GATE_PROMPT_TIMEOUT")
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_SECRET_SESSION"]) {
            guard let algorithm = SessionAlgorithmPreference(rawValue: value.lowercased()) else {
                throw StorageError.invalidSetting(variable: "CLAUDE_GATE_SECRET_SESSION", value: value,
                                                  expected: "auto, dh or plain")
            }
            configuration.sessionAlgorithm = algorithm
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_DBUS_DUMP"]) {
            configuration.dbusDump = try DBusDumpSetting.parse(value, variable: "CLAUDE_GATE_DBUS_DUMP")
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_MASTER_PASSWORD"]) {
            configuration.masterPassword = MasterPassword(Array(value.utf8))
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_FILE_KDF_ITERATIONS"]) {
            configuration.fileKDFIterations = try kdfIterations(value)
        }
        if let value = nonEmpty(environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"]) {
            configuration.autoMigrateTokens = try flag(value, variable: "CLAUDE_GATE_AUTO_MIGRATE_TOKENS")
        }
        return configuration
    }

    /// `$HOME/.claude-gate/auth.json`, with the home directory from the
    /// password database when `HOME` is unset.
    static func defaultFilePath(_ environment: [String: String]) throws -> String {
        try homeDirectory(environment) + "/" + directoryName + "/auth.json"
    }

    static func homeDirectory(_ environment: [String: String]) throws -> String {
        if let home = nonEmpty(environment["HOME"]) {
            guard home.hasPrefix("/") else {
                throw StorageError.invalidSetting(variable: "HOME", value: home, expected: "an absolute path")
            }
            return home
        }
        if let entry = getpwuid(geteuid()), let directory = entry.pointee.pw_dir {
            return String(cString: directory)
        }
        throw StorageError.invalidSetting(variable: "HOME", value: "", expected: "the path of your home directory")
    }

    private static func absolutePath(_ value: String, variable: String, environment: [String: String]) throws -> String {
        if value.hasPrefix("~/") {
            return try homeDirectory(environment) + value.dropFirst()
        }
        guard value.hasPrefix("/") else {
            throw StorageError.invalidSetting(variable: variable, value: value,
                                              expected: "an absolute path such as $HOME/.claude-gate/auth.json")
        }
        guard !value.hasSuffix("/") else {
            throw StorageError.invalidSetting(variable: variable, value: value, expected: "the path of a file, not a directory")
        }
        return value
    }

    private static func seconds(_ value: String, variable: String) throws -> Double {
        guard let number = Double(value), number.isFinite, number > 0, number <= 86_400 else {
            throw StorageError.invalidSetting(variable: variable, value: value,
                                              expected: "a number of seconds greater than 0 and at most 86400")
        }
        return number
    }

    private static func kdfIterations(_ value: String) throws -> Int {
        let range = PasswordJWE.minimumIterationSetting...PasswordJWE.maximumIterations
        guard let count = Int(value), range.contains(count) else {
            throw StorageError.invalidSetting(
                variable: "CLAUDE_GATE_FILE_KDF_ITERATIONS", value: value,
                expected: "a whole number of PBKDF2 iterations from \(range.lowerBound) to \(range.upperBound) "
                    + "(default \(PasswordJWE.defaultIterations))")
        }
        return count
    }

    /// Parses a boolean setting such as `CLAUDE_GATE_DEBUG`, and throws
    /// ``StorageError/invalidSetting(variable:value:expected:)`` for any
    /// other value.
    public static func flag(_ value: String, variable: String) throws -> Bool {
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default:
            throw StorageError.invalidSetting(variable: variable, value: value, expected: "true or false (or 1 or 0)")
        }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}

/// The bytes of a master password. The type keeps them out of printed
/// configurations and logs: its description is a fixed placeholder.
public struct MasterPassword: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var description: String { "<master password>" }
    public var debugDescription: String { description }
}

extension MasterPassword: CustomReflectable {
    /// No children, so that `dump` and debuggers do not show the bytes.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
