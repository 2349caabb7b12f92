import ClaudeGateCLI
import ClaudeGateStorage

/// `auth login`, `auth token`, `auth status` and `auth logout`.
enum AuthCommands {
    static func login(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: CommandOptions.authLogin, command: "auth login")
        try rejectPositionals(options, command: "auth login")
        let provider = try validatedProvider(options, command: "auth login")
        guard !(options.has("--api-key") && options.has("--oauth")) else {
            throw usageError("--api-key and --oauth exclude each other", command: "auth login")
        }

        let credential = options.has("--oauth") ? try readOAuthCredential(provider: provider)
                                                : try readAPIKeyCredential(provider: provider)
        let storage = try context.storage()
        try storage.write(credential, provider: provider)
        fputsStderr("Stored the \(credential.type == .api ? "API key" : "OAuth token") for '\(provider)' in the "
                    + "\(storage.primary.kind.rawValue) storage (\(storage.primary.location)).")
        if let file = storage.primary as? FileStore, file.lastWriteWasUnencrypted {
            context.log.warning("\(file.path) stores credentials unencrypted. To encrypt it, set "
                                + "CLAUDE_GATE_MASTER_PASSWORD or run 'claude-gate auth storage encrypt'")
        }
    }

    private static func readAPIKeyCredential(provider: String) throws -> Credential {
        var input = Terminal.standardInputIsTerminal
            ? try Terminal.readHiddenLine(prompt: "API key for \(provider) (input hidden): ")
            : try Terminal.readStandardInput()
        defer { clearSecret(&input) }

        // The key is the first line; a trailing newline from echo or printf
        // is not part of it.
        let firstLine = input.split(separator: 0x0a, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        var key = Array(firstLine)
        while let last = key.last, last == 0x0d || last == 0x20 || last == 0x09 { key.removeLast() }
        guard !key.isEmpty else {
            throw CommandFailure(message: "no API key on standard input: pipe the key in, for example "
                                 + "'printf \"%s\\n\" \"$KEY\" | claude-gate auth login'", exitCode: .usage)
        }
        guard let text = String(validating: key, as: UTF8.self), !text.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw CommandFailure(message: "the API key on standard input is not valid UTF-8 text", exitCode: .usage)
        }
        return .apiKey(text)
    }

    private static func readOAuthCredential(provider: String) throws -> Credential {
        var input = Terminal.standardInputIsTerminal
            ? try Terminal.readHiddenLine(prompt: "OAuth token JSON for \(provider) (input hidden): ")
            : try Terminal.readStandardInput()
        defer { clearSecret(&input) }
        let hint = "expected a JSON object such as {\"access\":\"...\",\"refresh\":\"...\",\"expires\":1767225600}"
        guard let json = try? JSONValue.parse(input), case .object(var fields) = json else {
            throw CommandFailure(message: "the OAuth input on standard input is not a JSON object: \(hint)", exitCode: .usage)
        }
        fields["type"] = .string(CredentialType.oauth.rawValue)
        do {
            let credential = try Credential(json: .object(fields))
            guard !(credential.refreshToken ?? "").isEmpty else {
                throw CommandFailure(message: "the OAuth input has no \"refresh\" token: \(hint)", exitCode: .usage)
            }
            return credential
        } catch let error as CredentialFormatError {
            throw CommandFailure(message: "invalid OAuth input: \(error.detail); \(hint)", exitCode: .usage)
        }
    }

    static func token(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: CommandOptions.authToken, command: "auth token")
        try rejectPositionals(options, command: "auth token")
        let provider = try validatedProvider(options, command: "auth token")

        guard let found = try context.storage().read(provider: provider), let secret = found.credential.secret else {
            throw CommandFailure(message: "no credential stored for '\(provider)'. Store one with "
                                 + "'claude-gate auth login --provider \(provider)'", exitCode: .notFound)
        }
        if found.credential.validity(now: currentUnixTime()) == .expired {
            context.log.warning("the OAuth access token for '\(provider)' has expired")
        }
        Terminal.printLine(secret)
    }

    static func status(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: CommandOptions.authStatus, command: "auth status")
        try rejectPositionals(options, command: "auth status")
        let storage = try context.storage()
        let providers = try storage.listProviders()
        if options.has("--json") {
            let json = try statusJSON(storage: storage, providers: providers, now: currentUnixTime())
            Terminal.printLine(String(decoding: try json.serialized(), as: UTF8.self))
            return
        }
        guard !providers.isEmpty else {
            Terminal.printLine("No credentials stored (\(storage.primary.kind.rawValue) storage: \(storage.primary.location)).")
            Terminal.printLine("Store one with 'claude-gate auth login'.")
            return
        }

        var rows = [["PROVIDER", "TYPE", "STATUS", "CREDENTIAL", "STORAGE"]]
        let now = currentUnixTime()
        for provider in providers {
            guard let found = try storage.read(provider: provider) else { continue }
            let credential = found.credential
            rows.append([provider, credential.type.rawValue, credential.validity(now: now).rawValue,
                         maskedSecret(credential.secret ?? ""), found.store.kind.rawValue])
        }
        printTable(rows)
    }

    /// The `auth status --json` object. Its keys and value types are a
    /// stable interface documented in the command's help and in
    /// docs/storage.md: keys may be added, none removed or changed. Unlike
    /// the table's masked value, it contains no part of any secret, because
    /// scripts rarely need one and their output often ends up in logs.
    static func statusJSON(storage: CredentialStorage, providers: [String], now: Int64) throws -> JSONValue {
        var credentials: [JSONValue] = []
        for provider in providers {
            guard let found = try storage.read(provider: provider) else { continue }
            let credential = found.credential
            let expires: JSONValue = credential.expiresAt.map { $0 > 0 ? .integer($0) : .null } ?? .null
            credentials.append(.object([
                "provider": .string(provider),
                "type": .string(credential.type.rawValue),
                "status": .string(jsonName(of: credential.validity(now: now))),
                "expires": expires,
                "storage": .string(found.store.kind.rawValue),
            ]))
        }
        return .object([
            "storage": .string(storage.primary.kind.rawValue),
            "location": .string(storage.primary.location),
            "credentials": .array(credentials),
        ])
    }

    /// Returns the validity as `auth status --json` spells it. The table
    /// keeps the capitalized words of the Go claude-gate.
    private static func jsonName(of validity: CredentialValidity) -> String {
        switch validity {
        case .valid: return "valid"
        case .needsRefresh: return "needs_refresh"
        case .expired: return "expired"
        }
    }

    static func logout(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: CommandOptions.authLogout, command: "auth logout")
        try rejectPositionals(options, command: "auth logout")
        // No automatic migration: moving the file into the keyring would
        // write a backup of the very credentials being removed.
        let storage = try context.storage(automaticMigration: false)
        let providers = options.value("--provider") != nil
            ? [try validatedProvider(options, command: "auth logout")]
            : try storage.listProviders()

        for provider in providers {
            let kinds = try storage.delete(provider: provider)
            if kinds.isEmpty {
                fputsStderr("No credential stored for '\(provider)'.")
            } else {
                fputsStderr("Removed the credential for '\(provider)' from: \(kinds.map(\.rawValue).joined(separator: ", ")).")
            }
        }
        if providers.isEmpty {
            fputsStderr("No credentials stored.")
        }
        try reportLeftoverCopies(purge: options.has("--purge-backups"), context: context)
    }

    /// Lists, or with `purge` removes, the copies of credentials that logout
    /// does not touch by itself: backups and files renamed by migrations.
    /// Logging out should not leave a user unaware of tokens still on disk.
    private static func reportLeftoverCopies(purge: Bool, context: CommandContext) throws {
        let copies = try LeftoverCredentialFiles(configuration: context.configuration, log: context.log).paths()
        guard !copies.isEmpty else { return }
        if purge {
            for path in copies {
                try LeftoverCredentialFiles.remove(path)
            }
            fputsStderr("Removed \(copies.count) backup or migrated copy file(s) that held credentials.")
        } else {
            fputsStderr("\(copies.count) backup or migrated copy file(s) still hold credentials, for example \(copies[0]). "
                        + "Run 'claude-gate auth logout --purge-backups' to remove them too.")
        }
    }
}

/// Masks a secret for display: at most the first 4 and last 4 characters are
/// shown, and nothing of a secret shorter than 16 characters.
func maskedSecret(_ secret: String) -> String {
    guard secret.count >= 16 else { return "****" }
    return "\(secret.prefix(4))...\(secret.suffix(4))"
}

func rejectPositionals(_ options: ParsedOptions, command: String) throws {
    if let extra = options.positionals.first {
        throw usageError("unexpected argument '\(extra)'", command: command)
    }
}

func printTable(_ rows: [[String]]) {
    guard let columns = rows.first?.count else { return }
    let widths = (0..<columns).map { column in rows.map { $0[column].count }.max() ?? 0 }
    for row in rows {
        let cells = row.enumerated().map { index, cell in index == columns - 1 ? cell : cell.padding(widths[index]) }
        Terminal.printLine(cells.joined(separator: "  "))
    }
}

func fputsStderr(_ line: String) {
    fputs(line + "\n", stderr)
}

#if canImport(Glibc)
import Glibc
#endif
