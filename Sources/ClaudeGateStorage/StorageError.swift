import SecretService

/// A failure of the storage layer. Each case names the value that failed,
/// and ``StorageError/description`` explains what happened and what to do.
public enum StorageError: Error, Equatable {
    /// An environment variable has a value that is not allowed.
    case invalidSetting(variable: String, value: String, expected: String)
    /// The keyring was requested explicitly but cannot be used. `nextStep`
    /// replaces the usual advice to start or unlock the keyring.
    case keyringUnavailable(reason: String, nextStep: String? = nil)
    /// A keyring operation failed.
    case keyring(operation: String, SecretServiceError)
    /// A system call on a file failed.
    case fileSystem(path: String, operation: String, errno: Int32)
    /// A file exists but its contents cannot be used; it was left as it is.
    case unreadableFile(path: String, detail: String)
    /// A stored credential is not in the expected format.
    case invalidCredential(provider: String, location: String, detail: String)
    /// A file or directory is unsafe to use (a symlink, another owner, or
    /// permissions that let others read it).
    case unsafePath(path: String, detail: String, fix: String)
    /// The file is encrypted and no master password was supplied.
    case passwordRequired(path: String)
    /// The master password does not decrypt the file; it was left as it is.
    case wrongPassword(path: String)
    /// The file looks like an encrypted JWE but cannot be decrypted for a
    /// reason other than the password; it was left as it is.
    case invalidEncryptedFile(path: String, detail: String)
    /// An empty password was given to encrypt the file.
    case emptyPassword(path: String)
    /// Providers have different credentials in the source and the
    /// destination of a migration or restore; nothing was written.
    case migrationConflict(providers: [String], source: String, destination: String, command: String)
    /// A credential read back from the destination differs from the one
    /// written; the source was left in place.
    case verificationFailed(provider: String, destination: String, detail: String)
    /// A backup file cannot be used.
    case invalidBackup(path: String, detail: String)
}

extension StorageError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidSetting(let variable, let value, let expected):
            return "\(variable)='\(value)' is invalid: expected \(expected)"
        case .keyringUnavailable(let reason, let nextStep):
            return "the keyring is not usable: \(reason). "
                + (nextStep ?? "Unlock or start your keyring, or set CLAUDE_GATE_AUTH_STORAGE_TYPE=file")
        case .keyring(let operation, let error):
            return "\(operation) in the keyring failed: \(error)\(Self.hint(for: error))"
        case .fileSystem(let path, let operation, let code):
            return "\(operation) \(path) failed: \(String(cString: strerror(code)))"
        case .unreadableFile(let path, let detail):
            return "cannot read \(path): \(detail). The file was left unchanged; fix or move it, then try again"
        case .invalidCredential(let provider, let location, let detail):
            return "the credential for '\(provider)' in \(location) is invalid: \(detail). Store it again with 'claude-gate auth login --provider \(provider)'"
        case .unsafePath(let path, let detail, let fix):
            return "refusing to use \(path): \(detail). \(fix)"
        case .passwordRequired(let path):
            return "\(path) is encrypted and no master password was given. "
                + "Set CLAUDE_GATE_MASTER_PASSWORD, or run the command on a terminal to be asked for the password"
        case .wrongPassword(let path):
            return "cannot decrypt \(path): the master password is wrong, or the file's encrypted key was altered. "
                + "The file was left unchanged; try again with the password used to encrypt it"
        case .invalidEncryptedFile(let path, let detail):
            return "cannot decrypt \(path): \(detail). The file was left unchanged; "
                + "restore it from a backup, or move it away and log in again"
        case .emptyPassword(let path):
            return "cannot encrypt \(path) with an empty master password: choose a password of at least one character"
        case .migrationConflict(let providers, let source, let destination, let command):
            let names = providers.map { "'\($0)'" }.joined(separator: ", ")
            return "the credentials for \(names) differ between \(source) and \(destination); nothing was changed. "
                + "Compare them with 'claude-gate auth status', then rerun '\(command) --force' "
                + "to replace the destination's copies (they are backed up first)"
        case .verificationFailed(let provider, let destination, let detail):
            return "verifying '\(provider)' in \(destination) failed: \(detail). The source was left unchanged; "
                + "check the destination with 'claude-gate auth storage test' and try again"
        case .invalidBackup(let path, let detail):
            return "cannot use the backup \(path): \(detail). The backup was left unchanged"
        }
    }

    private static func hint(for error: SecretServiceError) -> String {
        switch error {
        case .locked, .promptDismissed, .promptTimedOut:
            return ". Unlock the keyring (for example by logging in to the desktop session) and try again"
        default:
            return ""
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
