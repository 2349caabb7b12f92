/// A point between the steps of a migration, reported to
/// ``TokenMigration/checkpoint`` so that tests can stop the process there.
public enum MigrationCheckpoint: Equatable, Sendable {
    /// The backup of the source is written.
    case backup
    /// The Nth credential (from 1) is written to the destination.
    case write(Int)
    /// Every credential was read back from the destination and matched.
    case verify
    /// The source copies are removed.
    case remove

    /// Parses the names `backup`, `write:N`, `verify` and `remove`.
    public init?(name: String) {
        switch name {
        case "backup": self = .backup
        case "verify": self = .verify
        case "remove": self = .remove
        default:
            guard name.hasPrefix("write:"), let count = Int(name.dropFirst("write:".count)), count > 0 else { return nil }
            self = .write(count)
        }
    }

    /// The name that ``init(name:)`` parses, such as `write:2`.
    public var name: String {
        switch self {
        case .backup: return "backup"
        case .write(let count): return "write:\(count)"
        case .verify: return "verify"
        case .remove: return "remove"
        }
    }
}

/// The actions a migration would take, computed without changing anything.
public struct MigrationPlan {
    /// One source credential.
    public struct Entry {
        public var provider: String
        public var credential: Credential
        public var source: MigrationSource
    }

    /// Every credential in the sources, sorted by provider. When sources
    /// disagree on a provider, the first source's credential is used.
    public var entries: [Entry] = []
    /// Providers whose destination credential equals the source's; they are
    /// not written again, only verified and removed from the source.
    public var alreadyInDestination: Set<String> = []
    /// Providers whose destination credential differs from the source's.
    public var conflicts: [String] = []
    /// Providers that two sources hold with different values (only with
    /// `--from legacy`, which reads several stores).
    public var sourceConflicts: [String] = []

    public var isEmpty: Bool { entries.isEmpty }

    /// The entries that a run writes to the destination.
    public var entriesToWrite: [Entry] {
        entries.filter { !alreadyInDestination.contains($0.provider) }
    }
}

/// The record of a completed migration.
public struct MigrationOutcome {
    /// The backups written, the source's first.
    public var backupPaths: [String] = []
    public var writtenProviders: [String] = []
    public var verifiedProviders: [String] = []
    /// One sentence per source on what was removed.
    public var removals: [String] = []
}

/// Moves credentials from one or more sources into a destination store so
/// that no credential is lost at any instant:
///
/// 1. back up the source credentials into the backup directory;
/// 2. write each credential that the destination lacks;
/// 3. read every credential back from the destination and compare it with
///    the source's;
/// 4. only then remove the source copies.
///
/// A process killed between any two steps leaves every credential readable
/// in the source, the destination or both, and running the migration again
/// completes it, because credentials already in the destination with the
/// same value are not conflicts.
public final class TokenMigration {
    public let sources: [MigrationSource]
    public let destination: CredentialStore
    public let backups: BackupDirectory
    /// The name written into the source backup (`file`, `keyring`,
    /// `legacy`), or nil to skip the source backup, as a restore does.
    public let sourceBackupName: String?
    /// Called after each step. The CLI stops there when a signal arrived,
    /// and stops the process for the interruption tests.
    public var checkpoint: (MigrationCheckpoint) throws -> Void = { _ in }

    public init(sources: [MigrationSource], destination: CredentialStore, backups: BackupDirectory,
                sourceBackupName: String?) {
        self.sources = sources
        self.destination = destination
        self.backups = backups
        self.sourceBackupName = sourceBackupName
    }

    /// The destination in words, for messages.
    public var destinationDescription: String {
        (destination as? MigrationSource)?.sourceDescription ?? destination.location
    }

    /// Reads the sources and the destination and returns what a run would
    /// do. Nothing is written.
    public func plan() throws -> MigrationPlan {
        var plan = MigrationPlan()
        var seen: [String: Credential] = [:]
        for source in sources {
            for provider in try source.listProviders() {
                guard let credential = try source.read(provider: provider) else { continue }
                if let earlier = seen[provider] {
                    if earlier != credential { plan.sourceConflicts.append(provider) }
                    continue
                }
                seen[provider] = credential
                plan.entries.append(MigrationPlan.Entry(provider: provider, credential: credential, source: source))
            }
        }
        plan.entries.sort { $0.provider < $1.provider }

        for entry in plan.entries {
            guard let existing = try destination.read(provider: entry.provider) else { continue }
            if existing == entry.credential {
                plan.alreadyInDestination.insert(entry.provider)
            } else {
                plan.conflicts.append(entry.provider)
            }
        }
        return plan
    }

    /// Runs the four steps for `plan`. Conflicts are an error unless
    /// `force` is set; then the source credential replaces the
    /// destination's, whose old value is backed up first. `command` is the
    /// command line to suggest in the conflict error.
    public func run(_ plan: MigrationPlan, force: Bool, command: String) throws -> MigrationOutcome {
        var outcome = MigrationOutcome()
        guard !plan.isEmpty else { return outcome }
        try checkConflicts(plan, force: force, command: command)

        outcome.backupPaths = try backUp(plan, replacing: force ? plan.conflicts : [])
        try checkpoint(.backup)

        for (index, entry) in plan.entriesToWrite.enumerated() {
            try destination.write(entry.credential, provider: entry.provider)
            outcome.writtenProviders.append(entry.provider)
            try checkpoint(.write(index + 1))
        }

        try verify(plan)
        outcome.verifiedProviders = plan.entries.map(\.provider)
        try checkpoint(.verify)

        for source in sources {
            var verified: [String: Credential] = [:]
            for entry in plan.entries where entry.source === source {
                verified[entry.provider] = entry.credential
            }
            if !verified.isEmpty {
                outcome.removals.append(try source.removeMigrated(verified))
            }
        }
        try checkpoint(.remove)
        return outcome
    }

    /// Throws ``StorageError/migrationConflict(providers:source:destination:command:)``
    /// when `plan` has conflicts and `force` is not set, so that a caller can
    /// report them before it asks for confirmation.
    public func checkConflicts(_ plan: MigrationPlan, force: Bool, command: String) throws {
        let conflicts = (plan.conflicts + plan.sourceConflicts).sorted()
        guard !conflicts.isEmpty && !force else { return }
        throw StorageError.migrationConflict(
            providers: conflicts, source: sources.map(\.sourceDescription).joined(separator: " and "),
            destination: destinationDescription, command: command)
    }

    /// Step 1: backs up the source credentials and, for the providers in
    /// `replacing`, the destination credentials that the run overwrites.
    private func backUp(_ plan: MigrationPlan, replacing: [String]) throws -> [String] {
        var paths: [String] = []
        if let sourceBackupName {
            var document = AuthDocument()
            for entry in plan.entries {
                document.setCredential(entry.credential, for: entry.provider)
            }
            let location = sources.map(\.sourceDescription).joined(separator: "; ")
            paths.append(try backups.write(document, storage: sourceBackupName, location: location))
        }
        if !replacing.isEmpty {
            var document = AuthDocument()
            for provider in replacing {
                if let existing = try destination.read(provider: provider) {
                    document.setCredential(existing, for: provider)
                }
            }
            paths.append(try backups.write(document, storage: destination.kind.rawValue, location: destination.location))
        }
        return paths
    }

    /// Step 3: reads every credential back from the destination.
    private func verify(_ plan: MigrationPlan) throws {
        for entry in plan.entries {
            guard let stored = try destination.read(provider: entry.provider) else {
                throw StorageError.verificationFailed(provider: entry.provider, destination: destinationDescription,
                                                      detail: "the credential is missing after it was written")
            }
            guard stored == entry.credential else {
                throw StorageError.verificationFailed(provider: entry.provider, destination: destinationDescription,
                                                      detail: "the credential read back differs from the source's")
            }
        }
    }
}
