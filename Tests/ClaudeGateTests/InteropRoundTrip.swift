import ClaudeGateStorage
import SecretService
import XCTest

/// Store, read, replace and delete checks that every daemon must pass, for
/// each session algorithm.
enum InteropRoundTrip {
    /// Runs the round trip on a new connection with session preference
    /// `preference` and checks that the session uses `expectedAlgorithm`.
    static func run(
        _ daemon: DaemonFixture, preference: SessionAlgorithmPreference, expectedAlgorithm: SessionAlgorithm,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let client = try daemon.connect(session: preference)
        let attributes = ["service": "claude-gate-test", "username": "round-trip-\(preference.rawValue)"]
        let first = Array(#"{"type":"oauth","access":"first \#(preference.rawValue)","refresh":"r","expires":1}"#.utf8)
        let second = Array(#"{"type":"api","key":"second – ünïcode ✓"}"#.utf8)

        XCTAssertNil(try client.readSecret(matching: attributes), "no item before the first store", file: file, line: line)

        try client.storeSecret(first, label: "round trip", attributes: attributes, contentType: "text/plain")
        XCTAssertEqual(client.sessionAlgorithm, expectedAlgorithm, file: file, line: line)
        XCTAssertEqual(try client.readSecret(matching: attributes), first, file: file, line: line)

        try client.storeSecret(second, label: "round trip", attributes: attributes, contentType: "text/plain")
        XCTAssertEqual(try client.readSecret(matching: attributes), second, "replace overwrites", file: file, line: line)
        XCTAssertEqual(try client.itemAttributes(matching: attributes).count, 1, "replace keeps one item",
                       file: file, line: line)

        // A second connection reads what the first stored.
        let other = try daemon.connect(session: preference)
        XCTAssertEqual(try other.readSecret(matching: attributes), second, file: file, line: line)

        XCTAssertEqual(try client.deleteSecrets(matching: attributes), 1, file: file, line: line)
        XCTAssertNil(try client.readSecret(matching: attributes), "no item after delete", file: file, line: line)
        XCTAssertEqual(try client.deleteSecrets(matching: attributes), 0, file: file, line: line)
    }

    /// Writes, reads and deletes a credential through ``CredentialStorage``
    /// configured from the environment with CLAUDE_GATE_SECRET_SESSION set
    /// to each of its values, the way the CLI uses the keyring.
    static func runThroughStorage(_ daemon: DaemonFixture, file: StaticString = #filePath, line: UInt = #line) throws {
        for session in ["auto", "dh", "plain"] {
            var environment = daemon.environment
            environment["CLAUDE_GATE_AUTH_STORAGE_TYPE"] = "keyring"
            environment["CLAUDE_GATE_KEYRING_SERVICE"] = "claude-gate-test"
            environment["CLAUDE_GATE_SECRET_SESSION"] = session
            let configuration = try StorageConfiguration.fromEnvironment(environment)
            let storage = try CredentialStorage(configuration: configuration, environment: environment,
                                                log: Log(debugEnabled: false))
            let provider = "storage-\(session)"
            let credential = Credential.oauth(access: "access-\(session)", refresh: "refresh", expiresAt: 1_900_000_000)

            try storage.write(credential, provider: provider)
            let found = try storage.read(provider: provider)
            XCTAssertEqual(found?.credential, credential, "session \(session)", file: file, line: line)
            XCTAssertEqual(found?.store.kind, .keyring, "session \(session)", file: file, line: line)
            XCTAssertTrue(try storage.listProviders().contains(provider), "session \(session)", file: file, line: line)
            XCTAssertEqual(try storage.delete(provider: provider), [.keyring], "session \(session)", file: file, line: line)
            XCTAssertNil(try storage.read(provider: provider), "session \(session)", file: file, line: line)
        }
    }
}

/// Daemons shared by the tests of one class, started on first use and
/// stopped in the class's `tearDown`. A failed start is remembered, so that
/// each test of the class reports it without trying again.
enum SharedDaemons {
    private static var started: [String: Result<DaemonFixture, Error>] = [:]

    static func fixture(script: String, requiredPrograms: [String]) throws -> DaemonFixture {
        if let result = started[script] { return try result.get() }
        let result = Result { try DaemonFixture(script: script, requiredPrograms: requiredPrograms) }
        started[script] = result
        return try result.get()
    }

    static func stop(script: String) {
        if case .success(let daemon)? = started[script] { daemon.stop() }
        started[script] = nil
    }
}
