#if canImport(Glibc)
import Glibc
#endif

/// The credentials of one storage at one moment, as written to a backup file.
///
/// The file is a JSON object: `format` (always `claude-gate-backup`),
/// `version` (1), `created` (UTC, ISO 8601), `storage` (`file`, `keyring` or
/// `legacy`), `location` (where the credentials were) and `credentials`, an
/// object in the layout of `auth.json`. Copying `credentials` into an
/// `auth.json` is therefore a manual restore.
public struct CredentialBackup: Equatable {
    public var created: String
    public var storage: String
    public var location: String
    public var credentials: AuthDocument

    public static let formatName = "claude-gate-backup"
    public static let formatVersion: Int64 = 1

    public init(created: String, storage: String, location: String, credentials: AuthDocument) {
        self.created = created
        self.storage = storage
        self.location = location
        self.credentials = credentials
    }

    public func serialized() throws -> [UInt8] {
        let object: JSONValue = .object([
            "format": .string(Self.formatName),
            "version": .integer(Self.formatVersion),
            "created": .string(created),
            "storage": .string(storage),
            "location": .string(location),
            "credentials": .object(credentials.entries),
        ])
        return try object.serialized(pretty: true) + [0x0a]
    }

    /// Parses a backup file; `path` names the file in errors.
    public init(parsing bytes: [UInt8], path: String) throws {
        guard let json = try? JSONValue.parse(bytes), case .object(let fields) = json else {
            throw StorageError.invalidBackup(path: path, detail: "the file is not a JSON object")
        }
        guard fields["format"]?.stringValue == Self.formatName else {
            throw StorageError.invalidBackup(path: path, detail: "\"format\" is not \"\(Self.formatName)\"")
        }
        guard fields["version"] == .integer(Self.formatVersion) else {
            throw StorageError.invalidBackup(path: path, detail: "\"version\" is not \(Self.formatVersion)")
        }
        guard case .object(let entries)? = fields["credentials"] else {
            throw StorageError.invalidBackup(path: path, detail: "\"credentials\" is missing or not an object")
        }
        let document = AuthDocument(entries: entries)
        for provider in document.providers {
            guard Credential.isValidProviderName(provider) else {
                throw StorageError.invalidBackup(path: path, detail: "'\(provider)' is not a valid provider name")
            }
            do {
                _ = try document.credential(for: provider)
            } catch let error as CredentialFormatError {
                throw StorageError.invalidBackup(path: path, detail: "the credential for '\(provider)' is invalid: \(error.detail)")
            }
        }
        self.init(created: fields["created"]?.stringValue ?? "", storage: fields["storage"]?.stringValue ?? "",
                  location: fields["location"]?.stringValue ?? "", credentials: document)
    }
}

/// The backup directory, `~/.claude-gate/backups`: mode 0700, one 0600 file
/// per backup, each written atomically. Only the newest
/// ``retainedCount`` backups are kept.
///
/// With a master password, a backup is one JWE in the format of the
/// encrypted `auth.json`, and its name ends in `.jwe`. Without one, it is
/// plain JSON, and its name ends in `.json`.
public struct BackupDirectory {
    public let path: String
    /// The password that encrypts new backups and decrypts encrypted ones.
    public var masterPassword: MasterPassword?
    /// PBKDF2 iterations for new encrypted backups.
    public var kdfIterations: Int
    private let warn: (String) -> Void

    /// Backups kept after each new one; older ones are deleted. Ten covers
    /// the migrations and restores of a normal life of a profile while
    /// keeping copies of old secrets from piling up.
    public static let retainedCount = 10

    static let namePrefix = "credentials-"
    static let plainSuffix = ".json"
    static let encryptedSuffix = ".jwe"

    public init(path: String, masterPassword: MasterPassword? = nil,
                kdfIterations: Int = PasswordJWE.defaultIterations, warn: @escaping (String) -> Void = { _ in }) {
        self.path = path
        self.masterPassword = masterPassword
        self.kdfIterations = kdfIterations
        self.warn = warn
    }

    /// Opens the backup directory that `configuration` names. New backups are
    /// encrypted with its master password, and permission fixes go to `log`.
    public init(configuration: StorageConfiguration, log: Log) {
        self.init(path: configuration.backupDirectory, masterPassword: configuration.masterPassword,
                  kdfIterations: configuration.fileKDFIterations, warn: { log.warning($0) })
    }

    /// Writes a backup of `credentials`, prunes the oldest backups beyond
    /// ``retainedCount`` and returns the new file's path.
    @discardableResult
    public func write(_ credentials: AuthDocument, storage: String, location: String) throws -> String {
        try SecureFile.ensureDirectory(path, warn: warn)
        // The directory may predate claude-gate or have been created by hand
        // with a looser mode; backups hold secrets, so it is tightened.
        guard chmod(path, 0o700) == 0 else {
            throw StorageError.fileSystem(path: path, operation: "setting mode 0700 on", errno: errno)
        }

        let time = UTCTimestamp.now()
        let backup = CredentialBackup(created: time.iso8601, storage: storage, location: location, credentials: credentials)
        var contents = try backup.serialized()
        defer { clearSecret(&contents) }

        var suffix = Self.plainSuffix
        if let masterPassword {
            let encrypted = try PasswordJWE.encrypt(contents, password: masterPassword.bytes, iterations: kdfIterations)
            clearSecret(&contents)
            contents = encrypted
            suffix = Self.encryptedSuffix
        }
        let filePath = try unusedPath(stem: Self.namePrefix + time.compact + "-" + storage, suffix: suffix)
        try SecureFile.writeAtomically(contents, to: filePath, warn: warn)
        try prune(keeping: filePath)
        return filePath
    }

    /// Returns the paths of the backups, oldest first. The timestamp in each
    /// name makes name order the order of creation.
    public func list() throws -> [String] {
        guard let names = SecureFile.entryNames(in: path) else {
            if errno == ENOENT { return [] }
            throw StorageError.fileSystem(path: path, operation: "listing", errno: errno)
        }
        return names.filter { name in
            name.hasPrefix(Self.namePrefix) && (name.hasSuffix(Self.plainSuffix) || name.hasSuffix(Self.encryptedSuffix))
        }.map { path + "/" + $0 }
    }

    /// Reads and checks the backup at `filePath`, which may be anywhere,
    /// decrypting it with `masterPassword` when it is encrypted.
    public static func read(_ filePath: String, masterPassword: MasterPassword? = nil,
                            warn: (String) -> Void = { _ in }) throws -> CredentialBackup {
        guard var bytes = try SecureFile.read(filePath, warn: warn) else {
            throw StorageError.invalidBackup(path: filePath, detail: "the file does not exist")
        }
        defer { clearSecret(&bytes) }
        guard PasswordJWE.looksLikeCompactSerialization(bytes) else {
            return try CredentialBackup(parsing: bytes, path: filePath)
        }

        guard let masterPassword else { throw StorageError.passwordRequired(path: filePath) }
        var plaintext: [UInt8]
        do {
            plaintext = try PasswordJWE.decrypt(bytes, password: masterPassword.bytes)
        } catch PasswordJWEError.wrongPassword {
            throw StorageError.wrongPassword(path: filePath)
        } catch let error as PasswordJWEError {
            throw StorageError.invalidEncryptedFile(path: filePath, detail: error.description)
        }
        defer { clearSecret(&plaintext) }
        return try CredentialBackup(parsing: plaintext, path: filePath)
    }

    /// Deletes the oldest backups beyond ``retainedCount``, never `newest`.
    private func prune(keeping newest: String) throws {
        let backups = try list().filter { $0 != newest }
        let excess = backups.count + 1 - Self.retainedCount
        guard excess > 0 else { return }
        for old in backups.prefix(excess) {
            _ = try SecureFile.remove(old)
        }
    }

    /// Returns `stem` plus `suffix` in the directory, or `stem-2` plus
    /// `suffix` and so on when two backups are made in the same millisecond.
    private func unusedPath(stem: String, suffix: String) throws -> String {
        var candidate = path + "/" + stem + suffix
        var counter = 2
        var info = stat()
        while lstat(candidate, &info) == 0 {
            candidate = path + "/" + stem + "-\(counter)" + suffix
            counter += 1
        }
        return candidate
    }
}

/// The current time in UTC, formatted for backup names and contents.
struct UTCTimestamp {
    /// `20261204T211207.123Z`, which sorts in time order and is safe in file names.
    var compact: String
    /// `2026-12-04T21:12:07.123Z`.
    var iso8601: String

    static func now() -> UTCTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)

        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let year = digits(parts.tm_year + 1900, 4), month = digits(parts.tm_mon + 1, 2), day = digits(parts.tm_mday, 2)
        let hour = digits(parts.tm_hour, 2), minute = digits(parts.tm_min, 2), second = digits(parts.tm_sec, 2)
        let millisecond = digits(Int32(time.tv_nsec / 1_000_000), 3)
        return UTCTimestamp(
            compact: "\(year)\(month)\(day)T\(hour)\(minute)\(second).\(millisecond)Z",
            iso8601: "\(year)-\(month)-\(day)T\(hour):\(minute):\(second).\(millisecond)Z")
    }
}

/// The files that still hold credentials after a logout: the backups, the
/// `auth.json.migrated` copies that migrations leave, and the Go
/// claude-gate's migrated keyring files.
public struct LeftoverCredentialFiles {
    private let backups: BackupDirectory
    private let authFilePath: String
    private let legacyKeyringDirectory: String

    public init(configuration: StorageConfiguration, log: Log) {
        backups = BackupDirectory(configuration: configuration, log: log)
        authFilePath = configuration.filePath
        legacyKeyringDirectory = configuration.legacyKeyringDirectory
    }

    /// Returns the paths of the files, sorted within each kind.
    public func paths() throws -> [String] {
        let migratedCopies = Self.entries(in: parentDirectory(of: authFilePath)) {
            $0.hasPrefix(baseName(of: authFilePath) + ".migrated")
        }
        let legacyCopies = Self.entries(in: legacyKeyringDirectory) {
            $0.hasPrefix(LegacyStores.keyPrefix) && $0.hasSuffix(".migrated")
        }
        return try backups.list() + migratedCopies + legacyCopies
    }

    /// Removes one of the files that ``paths()`` returned.
    public static func remove(_ path: String) throws {
        _ = try SecureFile.remove(path)
    }

    private static func entries(in directory: String, matching predicate: (String) -> Bool) -> [String] {
        (SecureFile.entryNames(in: directory) ?? []).filter(predicate).map { directory + "/" + $0 }
    }
}
