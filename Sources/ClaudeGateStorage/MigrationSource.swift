#if canImport(Glibc)
import Glibc
#endif

/// A place credentials can be migrated out of: the file, the keyring, a
/// store of the Go claude-gate, or a backup being restored.
public protocol MigrationSource: AnyObject {
    /// The source in words, such as "the file /home/me/.claude-gate/auth.json".
    var sourceDescription: String { get }

    func listProviders() throws -> [String]
    func read(provider: String) throws -> Credential?

    /// Removes the source's copies of `verified` and returns what was done,
    /// in one sentence. `verified` contains the credentials that were written
    /// to the destination and read back from it. A copy whose value changed
    /// since the migration read it is left in place.
    func removeMigrated(_ verified: [String: Credential]) throws -> String
}

extension FileStore: MigrationSource {
    public var sourceDescription: String { "the file \(path)" }

    /// Renames the file to `auth.json.migrated` when every credential in it
    /// was migrated. The rename keeps the file, in case something was missed,
    /// and a later migration finds no file to move. When the file contains other
    /// credentials too, only the migrated ones are removed from it.
    public func removeMigrated(_ verified: [String: Credential]) throws -> String {
        try SecureFile.withExclusiveLock(onDirectory: parentDirectory(of: path), warn: { self.log.warning($0) }) {
            // Read again under the lock: another process may have changed the
            // file since the migration read it.
            var loaded = try loadFile()
            defer { loaded.cleanse() }
            let migrated = loaded.document.providers.filter { provider in
                guard let expected = verified[provider] else { return false }
                return (try? loaded.document.credential(for: provider)) == expected
            }
            if migrated.isEmpty {
                return "\(path) was left unchanged"
            }
            if migrated.count == loaded.document.entries.count {
                let renamedPath = try renameMigratedFile()
                return "\(path) was renamed to \(renamedPath)"
            }
            for provider in migrated {
                loaded.document.entries.removeValue(forKey: provider)
            }
            // store keeps the file's format, so an encrypted file stays encrypted.
            try store(loaded)
            return "removed \(migrated.joined(separator: ", ")) from \(path); it keeps \(loaded.document.providers.joined(separator: ", "))"
        }
    }

    /// Renames `auth.json` to `auth.json.migrated`, or to `auth.json.migrated.2`
    /// and so on when an earlier migration left that name, so that no older
    /// copy is replaced. The caller holds the directory lock.
    private func renameMigratedFile() throws -> String {
        var target = path + ".migrated"
        var counter = 2
        var info = stat()
        while lstat(target, &info) == 0 {
            target = path + ".migrated.\(counter)"
            counter += 1
        }
        guard rename(path, target) == 0 else {
            throw StorageError.fileSystem(path: path, operation: "renaming to \(target)", errno: errno)
        }
        // A file written by another program may have had a looser mode, and
        // the renamed copy still contains secrets.
        guard chmod(target, 0o600) == 0 else {
            throw StorageError.fileSystem(path: target, operation: "setting mode 0600 on", errno: errno)
        }
        try SecureFile.syncDirectory(parentDirectory(of: path))
        return target
    }
}

extension KeyringStore: MigrationSource {
    public var sourceDescription: String { "the keyring (service '\(serviceName)')" }

    public func removeMigrated(_ verified: [String: Credential]) throws -> String {
        var removed: [String] = []
        for provider in verified.keys.sorted() where try read(provider: provider) == verified[provider] {
            try delete(provider: provider)
            removed.append(provider)
        }
        if removed.isEmpty {
            return "nothing was removed from \(sourceDescription)"
        }
        return "removed \(removed.joined(separator: ", ")) from \(sourceDescription)"
    }
}

/// A backup file as the source of a restore. The backup is never changed.
public final class BackupSource: MigrationSource {
    public let path: String
    public let backup: CredentialBackup

    /// Reads the backup, decrypting it with `masterPassword` when it is encrypted.
    public init(path: String, masterPassword: MasterPassword?) throws {
        self.path = path
        backup = try BackupDirectory.read(path, masterPassword: masterPassword)
    }

    public var sourceDescription: String { "the backup \(path)" }

    public func listProviders() throws -> [String] {
        backup.credentials.providers
    }

    public func read(provider: String) throws -> Credential? {
        try backup.credentials.credential(for: provider)
    }

    public func removeMigrated(_ verified: [String: Credential]) throws -> String {
        "the backup \(path) was kept"
    }
}

/// Returns whether two paths name the same file: the same device and inode
/// when both exist, else the same path text.
public func isSameFile(_ first: String, _ second: String) -> Bool {
    var firstInfo = stat()
    var secondInfo = stat()
    if stat(first, &firstInfo) == 0 && stat(second, &secondInfo) == 0 {
        return firstInfo.st_dev == secondInfo.st_dev && firstInfo.st_ino == secondInfo.st_ino
    }
    return first == second
}
