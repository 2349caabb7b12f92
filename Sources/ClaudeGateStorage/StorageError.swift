import SecretService

/// A failure of the storage layer. Each case names the value that failed,
/// and ``StorageError/description`` explains what happened and what to do.
public enum StorageError: Error, Equatable {
    /// An environment variable has a value that is not allowed.
    case invalidSetting(variable: String, value: String, expected: String)
    /// The keyring was requested explicitly but cannot be used.
    case keyringUnavailable(reason: String)
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
}

extension StorageError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .invalidSetting(let variable, let value, let expected):
            return "\(variable)='\(value)' is invalid: expected \(expected)"
        case .keyringUnavailable(let reason):
            return "the keyring is not usable: \(reason). Unlock or start your keyring, or set CLAUDE_GATE_AUTH_STORAGE_TYPE=file"
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
