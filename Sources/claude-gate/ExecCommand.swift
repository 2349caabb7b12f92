import ClaudeGateCLI
import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// `exec`: replaces claude-gate with a command whose environment contains
/// the stored credential in one variable.
///
/// The credential reaches the command only through the environment block
/// passed to execve(2). It is never written to stdout, stderr, a file or the
/// command's arguments. Because the process is replaced rather than forked,
/// the command keeps claude-gate's process ID, and its exit status or the
/// signal that ends it reaches the caller unchanged.
enum ExecCommand {
    /// The variable for an API key, read by the Anthropic SDKs and Claude Code.
    static let apiKeyVariable = "ANTHROPIC_API_KEY"
    /// The variable for an OAuth access token, sent as a bearer token by the
    /// Anthropic SDKs and Claude Code.
    static let oauthTokenVariable = "ANTHROPIC_AUTH_TOKEN"

    /// The search path execvp(3) in glibc uses when PATH is unset.
    static let defaultSearchPath = "/bin:/usr/bin"

    static func run(_ arguments: [String], context: CommandContext) throws {
        let request = try ExecRequest.parse(arguments)

        // The command is looked up before the credential is read, so a
        // mistyped name fails without a keyring unlock prompt. The resolved
        // path then goes to execve rather than execvp, so that `--env PATH`
        // cannot change the lookup and no shell runs a file without #!.
        let executablePath = try resolveExecutable(request.command[0],
                                                   searchPath: context.environment["PATH"] ?? defaultSearchPath)

        let credential = try readCredential(provider: request.provider, context: context)
        // Dropping the storage closes the Secret Service session and the
        // D-Bus connection before the exec. libdbus opens its socket
        // close-on-exec, so the command would not inherit it either way.
        context.closeStorage()

        try checkExpiry(of: credential, request: request, context: context)
        guard let secret = credential.secret, !secret.isEmpty else {
            throw missingCredentialFailure(provider: request.provider)
        }
        guard !secret.utf8.contains(0) else {
            throw CommandFailure(message: "the credential for '\(request.provider)' contains a NUL byte, which an "
                                 + "environment variable cannot hold. Store it again with "
                                 + "'claude-gate auth login --provider \(request.provider)'", exitCode: .dataError)
        }

        let variable = request.variable ?? defaultVariable(for: credential.type)
        if context.environment[variable] != nil {
            writeNote("\(variable) is already set in the environment; \(request.command[0]) gets the credential "
                      + "for '\(request.provider)' in its place")
        }

        try replaceProcess(executablePath: executablePath, arguments: request.command,
                           variable: variable, secret: secret)
    }

    /// Returns the variable that receives a credential when `--env` is not given.
    static func defaultVariable(for type: CredentialType) -> String {
        switch type {
        case .api: return apiKeyVariable
        case .oauth: return oauthTokenVariable
        }
    }

    // MARK: - Credential

    /// Reads the provider's credential. The store that held it is not
    /// returned, so that nothing keeps the D-Bus connection open after
    /// ``CommandContext/closeStorage()``.
    private static func readCredential(provider: String, context: CommandContext) throws -> Credential {
        guard let found = try context.storage().read(provider: provider) else {
            throw missingCredentialFailure(provider: provider)
        }
        return found.credential
    }

    private static func missingCredentialFailure(provider: String) -> CommandFailure {
        CommandFailure(message: "no credential stored for '\(provider)', so the command was not started. "
                       + "Store one with 'claude-gate auth login --provider \(provider)'", exitCode: .notFound)
    }

    /// Rejects an expired OAuth access token unless `--allow-expired` was
    /// given, and warns about one that is about to expire.
    private static func checkExpiry(of credential: Credential, request: ExecRequest, context: CommandContext) throws {
        let now = currentUnixTime()
        let expiry = credential.expiresAt.map(formatUTC) ?? "an unknown time"
        switch credential.validity(now: now) {
        case .valid:
            break
        case .needsRefresh:
            let remaining = (credential.expiresAt ?? now) - now
            context.log.warning("the OAuth access token for '\(request.provider)' expires at \(expiry), "
                                + "in \(remaining) seconds")
        case .expired:
            guard request.allowExpired else {
                throw CommandFailure(
                    message: "the OAuth access token for '\(request.provider)' expired at \(expiry), so the command "
                        + "was not started. Store a new token with 'claude-gate auth login --oauth --provider "
                        + "\(request.provider)', or pass --allow-expired to start the command anyway",
                    exitCode: .credentialExpired)
            }
            context.log.warning("passing the OAuth access token for '\(request.provider)' although it expired at "
                                + "\(expiry), because --allow-expired was given")
        }
    }

    /// Formats Unix seconds as `2026-12-04 21:05:02 UTC`.
    static func formatUTC(_ seconds: Int64) -> String {
        var time = time_t(seconds)
        var fields = tm()
        guard gmtime_r(&time, &fields) != nil else { return "\(seconds) (Unix time)" }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &fields)
        guard length > 0 else { return "\(seconds) (Unix time)" }
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - Starting the command

    /// Finds the file that execvp(3) would run for `name`: `name` itself
    /// when it contains a slash, else the first executable regular file in
    /// the directories of `searchPath`, where an empty entry means the
    /// current directory.
    ///
    /// Throws exit 127 when nothing is found, and exit 126 when files were
    /// found but none can be executed, as shells do.
    static func resolveExecutable(_ name: String, searchPath: String) throws -> String {
        guard !name.isEmpty else {
            throw CommandFailure(message: "the command name after '--' is empty", exitCode: .commandNotFound)
        }
        if name.contains("/") {
            switch checkExecutable(name) {
            case .executable:
                return name
            case .missing:
                throw CommandFailure(message: "command '\(name)' not found: no such file. Check the path",
                                     exitCode: .commandNotFound)
            case .notExecutable(let reason):
                throw notExecutableFailure(name, reason: reason)
            }
        }

        var firstRejection: (path: String, reason: String)?
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            switch checkExecutable(candidate) {
            case .executable:
                return candidate
            case .missing:
                continue
            case .notExecutable(let reason):
                if firstRejection == nil { firstRejection = (candidate, reason) }
            }
        }
        if let firstRejection {
            throw notExecutableFailure(firstRejection.path, reason: firstRejection.reason)
        }
        throw CommandFailure(message: "command '\(name)' not found in PATH (\(searchPath)). Check the name, "
                             + "or give the command's full path", exitCode: .commandNotFound)
    }

    private enum ExecutableCheck {
        case executable
        case missing
        case notExecutable(reason: String)
    }

    private static func checkExecutable(_ path: String) -> ExecutableCheck {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .missing }
            return .notExecutable(reason: String(cString: strerror(code)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            return .notExecutable(reason: "it is a directory. Give the path of a program")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .notExecutable(reason: "it is not a regular file. Give the path of a program")
        }
        guard access(path, X_OK) == 0 else {
            return .notExecutable(reason: "it is not executable (\(String(cString: strerror(errno)))). "
                                  + "Make it executable with chmod +x, or run it through its interpreter")
        }
        return .executable
    }

    private static func notExecutableFailure(_ path: String, reason: String) -> CommandFailure {
        CommandFailure(message: "cannot run '\(path)': \(reason)", exitCode: .commandNotExecutable)
    }

    /// Replaces this process with the command through execve(2), with this
    /// process's environment plus `variable=secret`. Any earlier entry named
    /// `variable` is left out, so the environment contains exactly one.
    ///
    /// Returns only by throwing, when execve fails. argv[0] is the name as
    /// the user typed it, as a shell passes it.
    private static func replaceProcess(executablePath: String, arguments: [String],
                                       variable: String, secret: String) throws -> Never {
        var secretEntry = Array("\(variable)=\(secret)".utf8CString)
        defer { secretEntry.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }

        let argumentPointers = arguments.map { strdup($0) }
        defer { argumentPointers.forEach { free($0) } }

        // The other entries are environ's own strings, which stay valid
        // until execve replaces the process image.
        var environmentPointers: [UnsafeMutablePointer<CChar>?] = []
        let prefix = Array("\(variable)=".utf8)
        var pointer = environ
        while let entry = pointer.pointee {
            if !entryStarts(entry, with: prefix) {
                environmentPointers.append(entry)
            }
            pointer += 1
        }

        // Output that claude-gate buffered would be lost with its process image.
        fflush(nil)
        let code: Int32 = secretEntry.withUnsafeMutableBufferPointer { secretBuffer in
            environmentPointers.append(secretBuffer.baseAddress)
            environmentPointers.append(nil)
            let argv = argumentPointers + [nil]
            execve(executablePath, argv, environmentPointers)
            return errno
        }

        var reason = String(cString: strerror(code))
        if code == ENOEXEC {
            reason += ". The kernel cannot start this file. If it is a script, begin it with a #! line"
        }
        if code == ENOENT {
            throw CommandFailure(message: "command '\(executablePath)' not found: \(reason)", exitCode: .commandNotFound)
        }
        throw notExecutableFailure(executablePath, reason: reason)
    }

    /// Checks whether the C string `entry` begins with the bytes of `prefix`.
    private static func entryStarts(_ entry: UnsafeMutablePointer<CChar>, with prefix: [UInt8]) -> Bool {
        for (index, byte) in prefix.enumerated() where UInt8(bitPattern: entry[index]) != byte {
            return false
        }
        return true
    }

    private static func writeNote(_ message: String) {
        fputs("claude-gate: note: \(message)\n", stderr)
    }
}
