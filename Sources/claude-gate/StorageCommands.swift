import ClaudeGateCLI
import ClaudeGateStorage

/// `auth storage status` and `auth storage test`.
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
            if let count = report.providerCount {
                rows.append(["Providers:", String(count)])
            }
            if let error = report.listError {
                rows.append(["Providers:", "unknown (\(error))"])
            }
            for store in report.secondaryLocations {
                rows.append(["Also read:", store])
            }
            printTable(rows)
        }
        if !report.usable {
            throw CommandFailure(message: "the \(report.kind.rawValue) storage is not usable: \(report.reason)",
                                 exitCode: .storageUnavailable)
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

    init(context: CommandContext) {
        setting = context.configuration.storageType
        do {
            let storage = try context.storage()
            kind = storage.primary.kind
            location = storage.primary.location
            usable = true
            reason = storage.selectionReason
            secondaryLocations = storage.secondary.map { "\($0.kind.rawValue): \($0.location)" }
            do {
                providerCount = try storage.listProviders().count
            } catch {
                listError = "\(error)"
            }
        } catch StorageError.keyringUnavailable(let unavailableReason) {
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
        return .object(object)
    }
}

#if canImport(Glibc)
import Glibc
#endif
