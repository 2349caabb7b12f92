import CProcess
import ClaudeGateCLI
import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// `auth storage migrate`, `auth storage backup` and `auth storage restore`.
enum MigrationCommands {
    static func migrate(_ arguments: [String], context: CommandContext) throws {
        let command = "auth storage migrate"
        let options = try parseOptions(arguments, spec: OptionSpec(flags: ["--dry-run", "--yes", "--force"],
                                                                   valued: ["--from", "--to"]), command: command)
        try rejectPositionals(options, command: command)
        let from = try requiredChoice(options, "--from", among: ["file", "keyring", "legacy"], command: command)
        let to = try requiredChoice(options, "--to", among: ["file", "keyring"], command: command)
        let pause = try TestPause(environment: context.environment)

        if from == to {
            Terminal.printLine("Nothing to migrate: --from and --to name the same storage (\(to)).")
            return
        }
        let destination = try openStore(to, context: context)
        let found = try openSources(from, destination: destination, context: context)
        for note in found.notes {
            context.log.warning(note)
        }

        let migration = TokenMigration(sources: found.sources, destination: destination,
                                       backups: BackupDirectory(configuration: context.configuration, log: context.log),
                                       sourceBackupName: from)
        migration.checkpoint = { reached in
            pause.stopIfRequested(reached)
            try stopIfInterrupted(after: reached)
        }
        let plan = try migration.plan()
        guard !plan.isEmpty else {
            let names = found.sources.isEmpty ? from : found.sources.map(\.sourceDescription).joined(separator: " and ")
            Terminal.printLine("Nothing to migrate: no credentials in \(names).")
            return
        }

        printPlan(plan, destination: migration.destinationDescription)
        let invocation = "claude-gate \(command) --from \(from) --to \(to)"
        if options.has("--dry-run") {
            printDryRunSummary(plan, force: options.has("--force"), backupDirectory: context.configuration.backupDirectory,
                               invocation: invocation)
            return
        }
        try migration.checkConflicts(plan, force: options.has("--force"), command: invocation)
        try confirm("Migrate \(plan.entries.count) credential(s) to \(migration.destinationDescription)?",
                    options: options, command: command)

        let outcome = try migration.run(plan, force: options.has("--force"), command: invocation)
        printOutcome(outcome, destination: migration.destinationDescription)
        warnIfSettingDisagrees(destination: to, context: context)
    }

    /// Warns when the storage setting would not use the destination: after a
    /// move to the file, `auto` with a usable keyring moves the credentials
    /// straight back, and `file` never reads the keyring.
    private static func warnIfSettingDisagrees(destination: String, context: CommandContext) {
        let configuration = context.configuration
        if destination == StorageKind.file.rawValue && configuration.storageType != .file && configuration.autoMigrateTokens {
            context.log.warning("CLAUDE_GATE_AUTH_STORAGE_TYPE is \(configuration.storageType.rawValue), so the next command "
                                + "that finds the keyring usable moves these credentials back into it. "
                                + "Set CLAUDE_GATE_AUTH_STORAGE_TYPE=file to keep them in the file")
        }
        if destination == StorageKind.keyring.rawValue && configuration.storageType == .file {
            context.log.warning("CLAUDE_GATE_AUTH_STORAGE_TYPE is file, which never reads the keyring. "
                                + "Set it to auto or keyring to use the migrated credentials")
        }
    }

    static func backup(_ arguments: [String], context: CommandContext) throws {
        let command = "auth storage backup"
        let options = try parseOptions(arguments, spec: OptionSpec(valued: ["--storage"]), command: command)
        try rejectPositionals(options, command: command)
        let store = try chosenOrSelectedStore(option: "--storage", options: options, context: context, command: command)

        var document = AuthDocument()
        for provider in try store.listProviders() {
            if let credential = try store.read(provider: provider) {
                document.setCredential(credential, for: provider)
            }
        }
        // An empty backup would restore nothing, and writing it could prune
        // the oldest backup that still has credentials.
        guard !document.entries.isEmpty else {
            Terminal.printLine("Nothing to back up: no credentials in the \(store.kind.rawValue) storage (\(store.location)).")
            return
        }
        let path = try BackupDirectory(configuration: context.configuration, log: context.log)
            .write(document, storage: store.kind.rawValue, location: store.location)
        Terminal.printLine("Backed up \(document.entries.count) credential(s) from the \(store.kind.rawValue) storage "
                           + "(\(store.location)) to \(path).")
    }

    static func restore(_ arguments: [String], context: CommandContext) throws {
        let command = "auth storage restore"
        let options = try parseOptions(arguments, spec: OptionSpec(flags: ["--yes", "--force"], valued: ["--to"]),
                                       command: command)
        guard options.positionals.count == 1, let path = options.positionals.first else {
            throw usageError("expected one backup file, for example ~/.claude-gate/backups/credentials-…json", command: command)
        }
        let destination = try chosenOrSelectedStore(option: "--to", options: options, context: context, command: command)

        let source = try openBackup(path, context: context)
        let migration = TokenMigration(sources: [source], destination: destination,
                                       backups: BackupDirectory(configuration: context.configuration, log: context.log),
                                       sourceBackupName: nil)
        migration.checkpoint = { try stopIfInterrupted(after: $0) }
        let plan = try migration.plan()
        guard !plan.isEmpty else {
            Terminal.printLine("Nothing to restore: \(path) contains no credentials.")
            return
        }
        printPlan(plan, destination: migration.destinationDescription)
        let invocation = "claude-gate \(command) \(path)"
        try migration.checkConflicts(plan, force: options.has("--force"), command: invocation)
        try confirm("Restore \(plan.entries.count) credential(s) to \(migration.destinationDescription)?",
                    options: options, command: command)

        let outcome = try migration.run(plan, force: options.has("--force"), command: invocation)
        printOutcome(outcome, destination: migration.destinationDescription)
    }

    // MARK: - Stores

    /// Opens the file or the keyring store; an unusable keyring is an error.
    private static func openStore(_ name: String, context: CommandContext) throws -> CredentialStore {
        if name == StorageKind.file.rawValue {
            return FileStore(path: context.configuration.filePath)
        }
        let keyring = try context.makeKeyringStore()
        if case .unavailable(let reason, let nextStep) = keyring.checkAvailability() {
            throw StorageError.keyringUnavailable(reason: reason, nextStep: nextStep)
        }
        return keyring
    }

    /// Opens the store that `option` names (file or keyring), or the
    /// selected storage when the option is absent.
    private static func chosenOrSelectedStore(option: String, options: ParsedOptions, context: CommandContext,
                                              command: String) throws -> CredentialStore {
        guard options.value(option) != nil else {
            return try context.storage(automaticMigration: false).primary
        }
        let name = try requiredChoice(options, option, among: ["file", "keyring"], command: command)
        return try openStore(name, context: context)
    }

    /// Returns the stores to migrate from, and warnings about stores that
    /// could not be read.
    private static func openSources(_ name: String, destination: CredentialStore,
                                    context: CommandContext) throws -> (sources: [MigrationSource], notes: [String]) {
        switch name {
        case "file":
            return ([FileStore(path: context.configuration.filePath)], [])
        case "keyring":
            guard let keyring = try openStore(name, context: context) as? KeyringStore else { return ([], []) }
            return ([keyring], [])
        default:
            return try openLegacySources(destination: destination, context: context)
        }
    }

    /// The Go claude-gate's stores: its Secret Service items, its
    /// `~/.claude-gate/auth.json` unless that is the destination itself, and
    /// its 99designs file keyring, decrypted with the master password.
    private static func openLegacySources(destination: CredentialStore,
                                          context: CommandContext) throws -> (sources: [MigrationSource], notes: [String]) {
        var sources: [MigrationSource] = []
        var notes: [String] = []
        let configuration = context.configuration

        let keyring = try context.makeKeyringStore()
        switch keyring.checkAvailability() {
        case .available:
            sources.append(LegacySecretServiceItems(keyring: keyring))
        case .unavailable(let reason, _):
            notes.append("the Go claude-gate's Secret Service items were not searched because the keyring is not usable: \(reason)")
        }

        let legacyFile = FileStore(path: configuration.legacyAuthFilePath)
        if let destinationFile = destination as? FileStore, isSameFile(destinationFile.path, legacyFile.path) {
            context.log.debug("\(legacyFile.path) is the destination itself, so it is not a legacy source")
        } else if legacyFile.fileExists {
            sources.append(legacyFile)
        }

        let keyringFiles = LegacyStores.keyringFiles(in: configuration.legacyKeyringDirectory)
        if !keyringFiles.isEmpty {
            if let password = try legacyKeyringPassword(context) {
                sources.append(LegacyKeyringFiles(directory: configuration.legacyKeyringDirectory, password: password,
                                                  warn: { context.log.warning($0) }))
            } else {
                notes.append("\(keyringFiles.count) file(s) of the Go claude-gate's encrypted file keyring in "
                             + "\(configuration.legacyKeyringDirectory) were not imported because no password was given. "
                             + "Set CLAUDE_GATE_MASTER_PASSWORD to the Go claude-gate's file password, or run the "
                             + "command on a terminal to type it. They were left unchanged")
            }
        }
        return (sources, notes)
    }

    // MARK: - Output and confirmation

    private static func printPlan(_ plan: MigrationPlan, destination: String) {
        var sourceNames: [String] = []
        for entry in plan.entries where !sourceNames.contains(entry.source.sourceDescription) {
            sourceNames.append(entry.source.sourceDescription)
        }
        Terminal.printLine("From: \(sourceNames.joined(separator: "; "))")
        Terminal.printLine("To:   \(destination)")
        var rows: [[String]] = []
        for entry in plan.entries {
            let action: String
            if plan.conflicts.contains(entry.provider) {
                action = "conflict: the destination holds a different credential"
            } else if plan.alreadyInDestination.contains(entry.provider) {
                action = "already in the destination with the same value"
            } else {
                action = "copy"
            }
            rows.append(["  " + entry.provider, entry.credential.type.rawValue, action])
        }
        for provider in plan.sourceConflicts {
            rows.append(["  " + provider, "", "conflict: the sources hold different credentials; the first one listed is used"])
        }
        printTable(rows)
    }

    private static func printDryRunSummary(_ plan: MigrationPlan, force: Bool, backupDirectory: String, invocation: String) {
        Terminal.printLine("Dry run: nothing was changed. A migration would back up \(plan.entries.count) credential(s) "
                           + "to \(backupDirectory), write \(plan.entriesToWrite.count), read all of them back, "
                           + "and then remove the source copies.")
        let conflicts = plan.conflicts + plan.sourceConflicts
        if !conflicts.isEmpty && !force {
            Terminal.printLine("It would stop at the conflicts above; rerun '\(invocation) --force' to replace the "
                               + "destination's copies (they are backed up first).")
        }
    }

    private static func printOutcome(_ outcome: MigrationOutcome, destination: String) {
        for path in outcome.backupPaths {
            Terminal.printLine("Backup: \(path)")
        }
        let written = outcome.writtenProviders.isEmpty ? "none" : outcome.writtenProviders.joined(separator: ", ")
        Terminal.printLine("Wrote: \(written)")
        Terminal.printLine("Verified in \(destination): \(outcome.verifiedProviders.joined(separator: ", "))")
        for removal in outcome.removals {
            Terminal.printLine("Source: \(removal)")
        }
    }

    /// Ends the migration between two steps once SIGINT, SIGTERM or SIGHUP
    /// has arrived. Stopping there is safe because of the order of the steps.
    private static func stopIfInterrupted(after step: MigrationCheckpoint) throws {
        guard cprocess_interrupt_signal() != 0 else { return }
        throw CommandFailure(message: "interrupted after the \(step.name) step. Every credential is still in the source "
                             + "or the destination; run the command again to finish", exitCode: .interrupted)
    }

    /// Asks `question` on the terminal unless `--yes` was given. Without a
    /// terminal and without `--yes` the command is rejected, because a
    /// script must state that it wants the change.
    private static func confirm(_ question: String, options: ParsedOptions, command: String) throws {
        if options.has("--yes") { return }
        guard Terminal.standardInputIsTerminal else {
            throw usageError("standard input is not a terminal, so there is no one to confirm; pass --yes to proceed",
                             command: command)
        }
        guard try Terminal.askYesNo(question) else {
            throw CommandFailure(message: "cancelled; nothing was changed", exitCode: .failure)
        }
    }

    private static func requiredChoice(_ options: ParsedOptions, _ option: String, among choices: [String],
                                       command: String) throws -> String {
        guard let value = options.value(option) else {
            throw usageError("\(option) is required (\(choices.joined(separator: ", ")))", command: command)
        }
        guard choices.contains(value) else {
            throw usageError("invalid \(option) '\(value)': expected \(choices.joined(separator: ", "))", command: command)
        }
        return value
    }
}

/// Test-only hook: `CLAUDE_GATE_TEST_PAUSE_AFTER=backup|write:N|verify|remove`
/// makes `auth storage migrate` stop itself with SIGSTOP after that step,
/// so that a test can SIGKILL it at a known point. It is not meant for
/// users and is left out of the help; unset, it does nothing.
struct TestPause {
    static let variable = "CLAUDE_GATE_TEST_PAUSE_AFTER"
    let checkpoint: MigrationCheckpoint?

    init(environment: [String: String]) throws {
        guard let value = environment[Self.variable], !value.isEmpty else {
            checkpoint = nil
            return
        }
        guard let parsed = MigrationCheckpoint(name: value) else {
            throw StorageError.invalidSetting(variable: Self.variable, value: value,
                                              expected: "backup, write:N (N from 1), verify or remove")
        }
        checkpoint = parsed
    }

    func stopIfRequested(_ reached: MigrationCheckpoint) {
        guard reached == checkpoint else { return }
        fflush(stdout)
        raise(SIGSTOP)
    }
}

/// Opens a backup for a restore. An encrypted backup is decrypted with
/// `CLAUDE_GATE_MASTER_PASSWORD`, or with a password typed on the terminal.
private func openBackup(_ path: String, context: CommandContext) throws -> BackupSource {
    do {
        return try BackupSource(path: path, masterPassword: context.configuration.masterPassword)
    } catch StorageError.passwordRequired where Terminal.standardInputIsTerminal {
        var typed = try context.promptForPassword(PasswordRequest(path: path, purpose: .decryptFile)) ?? []
        defer { clearSecret(&typed) }
        return try BackupSource(path: path, masterPassword: MasterPassword(typed))
    }
}

/// Returns the password of the Go claude-gate's file keyring:
/// `CLAUDE_GATE_MASTER_PASSWORD`, else one typed on the terminal, else nil.
private func legacyKeyringPassword(_ context: CommandContext) throws -> MasterPassword? {
    if let password = context.configuration.masterPassword {
        return password
    }
    guard Terminal.standardInputIsTerminal else { return nil }
    var typed = try context.promptForPassword(
        PasswordRequest(path: context.configuration.legacyKeyringDirectory, purpose: .decryptFile)) ?? []
    defer { clearSecret(&typed) }
    return typed.isEmpty ? nil : MasterPassword(typed)
}
