@testable import ClaudeGateStorage
import Foundation
import XCTest

/// A credential store in memory whose reads can be made to lie, to test
/// what the migration does when the destination loses or alters a write.
private final class MemoryStore: CredentialStore, MigrationSource {
    let kind: StorageKind
    var credentials: [String: Credential] = [:]
    /// Values that reads return in place of the stored ones.
    var readOverrides: [String: Credential?] = [:]

    init(kind: StorageKind) {
        self.kind = kind
    }

    var location: String { "memory (\(kind.rawValue))" }
    var sourceDescription: String { location }

    func checkAvailability() -> StoreAvailability { .available }

    func read(provider: String) throws -> Credential? {
        if let override = readOverrides[provider] { return override }
        return credentials[provider]
    }

    func write(_ credential: Credential, provider: String) throws {
        credentials[provider] = credential
    }

    func delete(provider: String) throws -> Bool {
        credentials.removeValue(forKey: provider) != nil
    }

    func listProviders() throws -> [String] {
        credentials.keys.sorted()
    }

    func removeMigrated(_ verified: [String: Credential]) throws -> String {
        for (provider, credential) in verified where credentials[provider] == credential {
            credentials.removeValue(forKey: provider)
        }
        return "removed"
    }
}

final class MigrationModelTests: XCTestCase {
    private var backups: BackupDirectory!

    override func setUpWithError() throws {
        backups = BackupDirectory(path: try TestEnvironment.makeTemporaryDirectory(self).appendingPathComponent("backups").path)
    }

    private func makeStores() -> (source: MemoryStore, destination: MemoryStore) {
        let source = MemoryStore(kind: .file)
        source.credentials = ["one": .apiKey("first-key"), "two": .oauth(access: "a", refresh: "r", expiresAt: 1_700_000_000)]
        return (source, MemoryStore(kind: .keyring))
    }

    func testRunMovesAndRemovesSource() throws {
        let (source, destination) = makeStores()
        let migration = TokenMigration(sources: [source], destination: destination, backups: backups, sourceBackupName: "file")

        let outcome = try migration.run(try migration.plan(), force: false, command: "test")

        XCTAssertEqual(destination.credentials.keys.sorted(), ["one", "two"])
        XCTAssertEqual(source.credentials, [:])
        XCTAssertEqual(outcome.writtenProviders, ["one", "two"])
        XCTAssertEqual(outcome.backupPaths.count, 1)
        XCTAssertEqual(try BackupDirectory.read(outcome.backupPaths[0]).credentials.providers, ["one", "two"])
    }

    func testLostWriteFailsVerifyAndKeepsSource() throws {
        let (source, destination) = makeStores()
        destination.readOverrides["two"] = .some(nil)
        let migration = TokenMigration(sources: [source], destination: destination, backups: backups, sourceBackupName: "file")
        let plan = try migration.plan()

        XCTAssertThrowsError(try migration.run(plan, force: false, command: "test")) { error in
            guard case StorageError.verificationFailed(let provider, _, let detail)? = error as? StorageError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(provider, "two")
            XCTAssertEqual(detail, "the credential is missing after it was written")
        }
        XCTAssertEqual(source.credentials.keys.sorted(), ["one", "two"])
    }

    func testAlteredWriteFailsVerifyAndKeepsSource() throws {
        let (source, destination) = makeStores()
        let migration = TokenMigration(sources: [source], destination: destination, backups: backups, sourceBackupName: "file")
        let plan = try migration.plan()
        destination.readOverrides["one"] = .apiKey("altered-key")

        XCTAssertThrowsError(try migration.run(plan, force: false, command: "test")) { error in
            XCTAssertTrue("\(error)".contains("the credential read back differs from the source's"), "\(error)")
        }
        XCTAssertEqual(source.credentials.keys.sorted(), ["one", "two"])
    }

    func testPlanSortsCopiesAndConflicts() throws {
        let (source, destination) = makeStores()
        destination.credentials = ["one": .apiKey("first-key"), "two": .apiKey("other")]

        let plan = try TokenMigration(sources: [source], destination: destination, backups: backups,
                                      sourceBackupName: "file").plan()

        XCTAssertEqual(plan.entries.map(\.provider), ["one", "two"])
        XCTAssertEqual(plan.alreadyInDestination, ["one"])
        XCTAssertEqual(plan.conflicts, ["two"])
        XCTAssertEqual(plan.entriesToWrite.map(\.provider), ["two"])
    }

    func testCheckpointNamesParse() {
        XCTAssertEqual(MigrationCheckpoint(name: "backup"), .backup)
        XCTAssertEqual(MigrationCheckpoint(name: "write:3"), .write(3))
        XCTAssertEqual(MigrationCheckpoint(name: "verify"), .verify)
        XCTAssertEqual(MigrationCheckpoint(name: "remove"), .remove)
        XCTAssertNil(MigrationCheckpoint(name: "write:0"))
        XCTAssertNil(MigrationCheckpoint(name: "write"))
        XCTAssertNil(MigrationCheckpoint(name: "later"))
        for checkpoint in [MigrationCheckpoint.backup, .write(2), .verify, .remove] {
            XCTAssertEqual(MigrationCheckpoint(name: checkpoint.name), checkpoint)
        }
    }

    func testLegacyItemDecodes() throws {
        let data = Data(#"{"type":"api","key":"go-key"}"#.utf8).base64EncodedString()
        let item = #"{"Key":"claude-gate.anthropic","Data":"\#(data)","Label":"","Description":"","KeychainNotTrustApplication":false,"KeychainNotSynchronizable":false}"#

        let credential = try LegacyStores.credential(fromItemJSON: Array(item.utf8), location: "test", provider: "anthropic")

        XCTAssertEqual(credential, .apiKey("go-key"))
    }

    func testLegacyItemErrorsNameTheProblem() {
        let cases = [
            "not json": "not the JSON of a 99designs/keyring item",
            #"{"Key":"claude-gate.x"}"#: "has no \"Data\" string",
            #"{"Data":"%%%"}"#: "is not base64",
            #"{"Data":"bm90IGpzb24="}"#: "is not JSON",
        ]
        for (item, expected) in cases {
            XCTAssertThrowsError(try LegacyStores.credential(fromItemJSON: Array(item.utf8), location: "test", provider: "x")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(item): \(error)")
            }
        }
    }

    func testLegacyKeyNamesMapToProviders() {
        XCTAssertEqual(LegacyStores.provider(fromKey: "claude-gate.anthropic"), "anthropic")
        XCTAssertNil(LegacyStores.provider(fromKey: "aws-vault.default"))
        XCTAssertNil(LegacyStores.provider(fromKey: "claude-gate."))
        XCTAssertNil(LegacyStores.provider(fromKey: "claude-gate.bad name"))
    }

    func testBackupRoundTrips() throws {
        var document = AuthDocument()
        document.setCredential(.apiKey("backup-key"), for: "anthropic")
        let path = try backups.write(document, storage: "file", location: "test")

        let backup = try BackupDirectory.read(path)

        XCTAssertEqual(backup.credentials, document)
        XCTAssertEqual(backup.storage, "file")
        XCTAssertEqual(try backups.list(), [path])
    }
}
