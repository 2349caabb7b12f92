import ClaudeGateStorage
import SecretService

/// The documented exit statuses of claude-gate.
public enum ExitCode: Int32, CaseIterable {
    case success = 0
    /// A failure with no more specific code.
    case failure = 1
    /// Invalid command line or environment variable.
    case usage = 2
    /// No credential is stored for the provider.
    case notFound = 3
    /// The selected storage cannot be used (no bus, no Secret Service, no
    /// default collection).
    case storageUnavailable = 4
    /// The keyring is locked, or its unlock prompt was dismissed or timed
    /// out, or the encrypted `auth.json` was given no or a wrong password.
    case locked = 5
    /// A file could not be read or written, or stored data is invalid.
    case dataError = 6
    /// `exec` did not start the command because the OAuth access token has
    /// expired and `--allow-expired` was not given.
    case credentialExpired = 7
    /// `exec` found the command but could not start it. Shells use the same
    /// status for this case.
    case commandNotExecutable = 126
    /// `exec` did not find the command in PATH. Shells use the same status
    /// for this case.
    case commandNotFound = 127
    /// Interrupted by SIGINT (Ctrl-C), SIGTERM or SIGHUP; a prompt that was
    /// showing is dismissed, and a file write that had started is finished.
    case interrupted = 130

    public var summary: String {
        switch self {
        case .success: return "success"
        case .failure: return "other failure"
        case .usage: return "invalid command line or environment variable"
        case .notFound: return "no credential stored for the provider"
        case .storageUnavailable: return "the selected storage is not usable (no bus, no Secret Service, no default collection)"
        case .locked: return "the keyring is locked (its unlock prompt was dismissed or timed out), "
            + "or the encrypted auth.json got no or a wrong master password"
        case .dataError: return "a file could not be read or written, or a stored credential is invalid"
        case .credentialExpired: return "exec: the OAuth access token has expired, so the command was not started"
        case .commandNotExecutable: return "exec: the command was found but could not be started (not executable)"
        case .commandNotFound: return "exec: the command was not found"
        case .interrupted: return "interrupted by SIGINT (Ctrl-C), SIGTERM or SIGHUP"
        }
    }
}

/// A failure the CLI reports as one line on stderr and an exit code.
public struct CommandFailure: Error {
    public var message: String
    public var exitCode: ExitCode

    public init(message: String, exitCode: ExitCode) {
        self.message = message
        self.exitCode = exitCode
    }
}

extension ExitCode {
    /// Returns the exit code for an error thrown by a command.
    public static func forError(_ error: Error) -> ExitCode {
        switch error {
        case let failure as CommandFailure:
            return failure.exitCode
        case let error as StorageError:
            return forStorageError(error)
        default:
            return .failure
        }
    }

    private static func forStorageError(_ error: StorageError) -> ExitCode {
        switch error {
        case .invalidSetting: return .usage
        case .keyringUnavailable: return .storageUnavailable
        case .keyring(_, let serviceError):
            if serviceError.meansServiceUnusable { return .storageUnavailable }
            switch serviceError {
            case .locked, .promptDismissed, .promptTimedOut: return .locked
            case .interrupted: return .interrupted
            default: return .failure
            }
        case .fileSystem, .unreadableFile, .invalidCredential, .unsafePath, .invalidEncryptedFile, .invalidBackup:
            return .dataError
        case .passwordRequired, .wrongPassword: return .locked
        case .emptyPassword: return .usage
        case .migrationConflict, .verificationFailed: return .failure
        }
    }
}
