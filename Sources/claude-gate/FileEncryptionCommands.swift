import ClaudeGateCLI
import ClaudeGateStorage

/// `auth storage encrypt` and `auth storage decrypt`, and the terminal
/// prompt for the master password of `auth.json`.
enum FileEncryptionCommands {
    static func encrypt(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: OptionSpec(), command: "auth storage encrypt")
        try rejectPositionals(options, command: "auth storage encrypt")
        let store = context.fileStore()

        var newPassword = try readNewPassword(for: store.path, context: context)
        defer { clearSecret(&newPassword) }
        try store.encryptFile(newPassword: newPassword)
        fputsStderr("Encrypted \(store.path) with the master password (\(PasswordJWE.algorithm), "
                    + "\(PasswordJWE.encryption), \(store.kdfIterations) PBKDF2 iterations).")
    }

    static func decrypt(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: OptionSpec(), command: "auth storage decrypt")
        try rejectPositionals(options, command: "auth storage decrypt")
        let store = context.fileStore()

        if try store.decryptFile() {
            fputsStderr("Decrypted \(store.path).")
            context.log.warning("\(store.path) now stores credentials unencrypted, protected only by its mode 0600")
        } else {
            fputsStderr("\(store.path) is not encrypted or does not exist; nothing was changed.")
        }
    }

    /// Returns the new master password: CLAUDE_GATE_MASTER_PASSWORD when set,
    /// else typed twice on the terminal without echo.
    private static func readNewPassword(for path: String, context: CommandContext) throws -> [UInt8] {
        if let password = context.configuration.masterPassword {
            return password.bytes
        }
        guard Terminal.standardInputIsTerminal else {
            throw CommandFailure(message: "no master password to encrypt \(path) with: set CLAUDE_GATE_MASTER_PASSWORD, "
                                 + "or run the command on a terminal to be asked for one", exitCode: .usage)
        }
        var password = try Terminal.readHiddenLine(prompt: "New master password for \(path) (input hidden): ")
        var repeated = try Terminal.readHiddenLine(prompt: "Repeat the new master password: ")
        defer { clearSecret(&repeated) }
        guard password == repeated else {
            clearSecret(&password)
            throw CommandFailure(message: "the two passwords differ; \(path) was not changed", exitCode: .usage)
        }
        return password
    }
}

/// The terminal prompt for the master password of an encrypted `auth.json`.
/// It prompts once per process and returns the same bytes to later requests,
/// so that a command that reads the file several times prompts only once.
///
/// It returns nil, so the store writes plain JSON or reports that a password
/// is needed, when standard input is not a terminal and for
/// ``PasswordPurpose/encryptFile`` requests: encrypting a plain file is
/// chosen with CLAUDE_GATE_MASTER_PASSWORD or `auth storage encrypt`, not by
/// a prompt during a login.
final class MasterPasswordPrompt {
    private var cachedPassword: [UInt8]?

    deinit {
        if cachedPassword != nil { clearSecret(&cachedPassword!) }
    }

    func password(for request: PasswordRequest) throws -> [UInt8]? {
        guard request.purpose == .decryptFile else { return nil }
        if let cachedPassword { return cachedPassword }
        guard Terminal.standardInputIsTerminal else { return nil }
        let password = try Terminal.readHiddenLine(prompt: "Master password for \(request.path) (input hidden): ")
        cachedPassword = password
        return password
    }
}
