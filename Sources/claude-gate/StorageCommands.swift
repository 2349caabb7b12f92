import ClaudeGateCLI
import ClaudeGateStorage

/// `auth storage status`, `auth storage test` and `auth storage init-keyring`.
enum StorageCommands {
    static func status(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: CommandOptions.storageStatus, command: "auth storage status")
        try rejectPositionals(options, command: "auth storage status")
        let report = StorageReport(context: context)

        if options.has("--json") {
            Terminal.printLine(String(decoding: try report.json.serialized(), as: UTF8.self))
        } else {
            var rows: [[String]] = [
                ["Setting:", "CLAUDE_GATE_AUTH_STORAGE_TYPE=\(context.configuration.storageType.rawValue)"],
                ["Storage:", report.kind.rawValue],
                ["Location:", report.location],
                ["Usable:", report.usable ? "yes (\(report.reason))" : "no (\(report.reason))"],
            ]
            if let format = report.fileFormat {
                rows.append(["Encryption:", format == .encryptedJWE
                    ? "master password (JWE \(PasswordJWE.algorithm), \(PasswordJWE.encryption))"
                    : "none (plain JSON, protected by file mode 0600)"])
            }
            if let count = report.providerCount {
                rows.append(["Providers:", String(count)])
            }
            if let error = report.listError {
                rows.append(["Providers:", "unknown (\(error))"])
            }
            for store in report.secondaryLocations {
                rows.append(["Also read:", store])
            }
            if report.backups.isEmpty {
                rows.append(["Backups:", "none in \(context.configuration.backupDirectory)"])
            }
            for backup in report.backups {
                rows.append(["Backup:", backup])
            }
            if let error = report.backupListError {
                rows.append(["Backups:", "unknown (\(error))"])
            }
            printTable(rows)
        }
        if !report.usable {
            throw CommandFailure(message: "the \(report.kind.rawValue) storage is not usable: \(report.reason)",
                                 exitCode: .storageUnavailable)
        }
    }

    /// Creates the keyring's default collection when the Secret Service has
    /// none, through the service's own password prompt.
    static func initKeyring(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: OptionSpec(), command: "auth storage init-keyring")
        try rejectPositionals(options, command: "auth storage init-keyring")
        let configuration = context.configuration
        let keyring = KeyringStore(
            serviceName: configuration.keyringService, environment: context.environment,
            options: .init(methodTimeout: configuration.methodTimeout, promptTimeout: configuration.promptTimeout,
                           sessionAlgorithm: configuration.sessionAlgorithm))

        let collection: (path: String, created: Bool)
        do {
            collection = try keyring.createDefaultCollection()
        } catch StorageError.keyring(_, let error) {
            switch error {
            case .promptDismissed, .promptTimedOut:
                // StorageError's own hint speaks of unlocking, which does not
                // apply to a collection that does not exist yet.
                throw CommandFailure(
                    message: "creating the default keyring collection failed: \(error). Answer the password dialog "
                        + "of your desktop session, or create a keyring in its keyring manager (for example Seahorse)",
                    exitCode: .locked)
            default:
                throw StorageError.keyring(operation: "creating the default collection", error)
            }
        }
        if collection.created {
            Terminal.printLine("Created the default keyring collection \(collection.path)")
        } else {
            Terminal.printLine("The keyring already has a default collection: \(collection.path)")
        }
    }

    /// Returns the provider name of the throwaway credential. The process id
    /// keeps parallel runs apart.
    static func testProviderName() -> String {
        "claude-gate-storage-test-\(getpid())"
    }

    static func test(_ arguments: [String], context: CommandContext) throws {
        let options = try parseOptions(arguments, spec: CommandOptions.storageTest, command: "auth storage test")
        try rejectPositionals(options, command: "auth storage test")
        let store = try context.storage().primary
        let provider = testProviderName()
        var random = [UInt8](repeating: 0, count: 16)
        for index in random.indices { random[index] = UInt8.random(in: 0...255) }
        let credential = Credential.apiKey("test-" + random.map { String($0, radix: 16) }.joined())

        Terminal.printLine("Testing the \(store.kind.rawValue) storage: \(store.location)")
        var written = false
        defer {
            if written { _ = try? store.delete(provider: provider) }
        }

        try step("write") {
            try store.write(credential, provider: provider)
            written = true
        }
        try step("read") {
            guard let read = try store.read(provider: provider) else { throw StepFailure("the credential was not found") }
            guard read == credential else { throw StepFailure("the credential read back differs from the one written") }
        }
        try step("list") {
            guard try store.listProviders().contains(provider) else { throw StepFailure("'\(provider)' is not listed") }
        }
        try step("delete") {
            guard try store.delete(provider: provider) else { throw StepFailure("nothing was deleted") }
            written = false
            guard try store.read(provider: provider) == nil else { throw StepFailure("the credential is still there") }
        }
        Terminal.printLine("The \(store.kind.rawValue) storage works.")
    }

    private struct StepFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private static func step(_ name: String, _ body: () throws -> Void) throws {
        do {
            try body()
            Terminal.printLine("\(name): ok")
        } catch {
            Terminal.printLine("\(name): FAILED")
            let code = error is StepFailure ? ExitCode.failure : ExitCode.forError(error)
            throw CommandFailure(message: "storage test step '\(name)' failed: \(error)", exitCode: code)
        }
    }
}

/// The facts `auth storage status` prints, gathered without reading any secret.
struct StorageReport {
    var setting: StorageTypeSetting
    var kind: StorageKind
    var location: String
    var usable: Bool
    var reason: String
    var providerCount: Int?
    var listError: String?
    var secondaryLocations: [String] = []
    /// The format of `auth.json` when the file is the primary store and
    /// exists; read without decrypting.
    var fileFormat: AuthFileFormat?
    /// Paths of the backups in ~/.claude-gate/backups, oldest first.
    var backups: [String] = []
    var backupListError: String?

    init(context: CommandContext) {
        setting = context.configuration.storageType
        do {
            backups = try BackupDirectory(configuration: context.configuration, log: context.log).list()
        } catch {
            backupListError = "\(error)"
        }
        do {
            let storage = try context.storage(automaticMigration: false)
            kind = storage.primary.kind
            location = storage.primary.location
            usable = true
            reason = storage.selectionReason
            secondaryLocations = storage.secondary.map { "\($0.kind.rawValue): \($0.location)" }
            if let file = storage.primary as? FileStore {
                fileFormat = (try? file.detectFormat()) ?? nil
            }
            do {
                providerCount = try storage.listProviders().count
            } catch {
                listError = "\(error)"
            }
        } catch StorageError.keyringUnavailable(let unavailableReason, _) {
            kind = .keyring
            location = KeyringStore(serviceName: context.configuration.keyringService, environment: context.environment,
                                    options: .init(methodTimeout: 1, promptTimeout: 1)).location
            usable = false
            reason = unavailableReason
        } catch {
            kind = context.configuration.storageType == .keyring ? .keyring : .file
            location = context.configuration.filePath
            usable = false
            reason = "\(error)"
        }
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "setting": .string(setting.rawValue),
            "storage": .string(kind.rawValue),
            "location": .string(location),
            "usable": .bool(usable),
            "reason": .string(reason),
            "providers": providerCount.map { .integer(Int64($0)) } ?? .null,
        ]
        object["also_read"] = .array(secondaryLocations.map { .string($0) })
        object["file_format"] = fileFormat.map { .string($0.rawValue) } ?? .null
        object["backups"] = .array(backups.map { .string($0) })
        return .object(object)
    }
}

#if canImport(Glibc)
import Glibc
#endif
