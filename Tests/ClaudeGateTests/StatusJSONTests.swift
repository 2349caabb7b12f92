import Foundation
import XCTest

/// The JSON shapes of `auth status --json` and `auth storage status --json`,
/// which scripts depend on. Keys may be added later; these tests pin the
/// keys and types that exist.
final class StatusJSONTests: XCTestCase {
    private func parseObject(_ result: TextResult, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        XCTAssertEqual(result.stdout.filter { $0 == "\n" }.count, 1, "expected one line of JSON: \(result.stdout)",
                       file: file, line: line)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
        return try XCTUnwrap(object as? [String: Any], "not a JSON object: \(result.stdout)", file: file, line: line)
    }

    private func login(_ sandbox: FileStorageSandbox, provider: String, oauthExpiring expires: Int? = nil, key: String = "") throws {
        let arguments: [String]
        let input: String
        if let expires {
            arguments = ["auth", "login", "--provider", provider, "--oauth"]
            input = "{\"access\":\"access-\(provider)-secret\",\"refresh\":\"refresh-\(provider)-secret\",\"expires\":\(expires)}"
        } else {
            arguments = ["auth", "login", "--provider", provider]
            input = key + "\n"
        }
        let result = try sandbox.run(arguments, input: input)
        XCTAssertEqual(result.status, 0, "login \(provider): \(result.stderr)")
    }

    func testAuthStatusJSONWithoutCredentials() throws {
        let sandbox = try FileStorageSandbox()
        let result = try sandbox.run(["auth", "status", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)

        let object = try parseObject(result)
        XCTAssertEqual(Set(object.keys), ["storage", "location", "credentials"])
        XCTAssertEqual(object["storage"] as? String, "file")
        XCTAssertEqual(object["location"] as? String, sandbox.authFilePath)
        XCTAssertEqual((object["credentials"] as? [Any])?.count, 0)
    }

    func testAuthStatusJSONDescribesEachCredential() throws {
        let sandbox = try FileStorageSandbox()
        let now = Int(Date().timeIntervalSince1970)
        let apiKey = "sk-test-0123456789abcdefghij"
        try login(sandbox, provider: "anthropic", key: apiKey)
        try login(sandbox, provider: "fresh", oauthExpiring: now + 3600)
        try login(sandbox, provider: "soon", oauthExpiring: now + 60)
        try login(sandbox, provider: "old", oauthExpiring: 1_000_000)

        let result = try sandbox.run(["auth", "status", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for secret in [apiKey, "access-fresh-secret", "refresh-fresh-secret", String(apiKey.prefix(4)) + "..."] {
            XCTAssertFalse(result.stdout.contains(secret), "the JSON contains secret text '\(secret)'")
        }

        let object = try parseObject(result)
        let credentials = try XCTUnwrap(object["credentials"] as? [[String: Any]])
        XCTAssertEqual(credentials.map { $0["provider"] as? String }, ["anthropic", "fresh", "old", "soon"])

        let expected: [String: (type: String, status: String, expires: Int?)] = [
            "anthropic": ("api", "valid", nil),
            "fresh": ("oauth", "valid", now + 3600),
            "soon": ("oauth", "needs_refresh", now + 60),
            "old": ("oauth", "expired", 1_000_000),
        ]
        for credential in credentials {
            let provider = try XCTUnwrap(credential["provider"] as? String)
            let entry = try XCTUnwrap(expected[provider])
            XCTAssertEqual(Set(credential.keys), ["provider", "type", "status", "expires", "storage"], provider)
            XCTAssertEqual(credential["type"] as? String, entry.type, provider)
            XCTAssertEqual(credential["status"] as? String, entry.status, provider)
            XCTAssertEqual(credential["storage"] as? String, "file", provider)
            if let expires = entry.expires {
                XCTAssertEqual((credential["expires"] as? NSNumber)?.intValue, expires, provider)
            } else {
                XCTAssertTrue(credential["expires"] is NSNull, "\(provider): expires is \(String(describing: credential["expires"]))")
            }
        }
    }

    func testAuthStatusJSONRejectsInvalidSetting() throws {
        let result = try FileStorageSandbox().run(["auth", "status", "--json"], environment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "disk"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "", "no JSON is printed when the setting is invalid")
        XCTAssertTrue(result.stderr.contains("CLAUDE_GATE_AUTH_STORAGE_TYPE='disk' is invalid"), result.stderr)
    }

    func testLogoutRemovesEveryCredential() throws {
        let sandbox = try FileStorageSandbox()
        try login(sandbox, provider: "anthropic", key: "sk-test-0123456789abcdefghij")
        try login(sandbox, provider: "other", oauthExpiring: 2_000_000_000)

        let logout = try sandbox.run(["auth", "logout"])
        XCTAssertEqual(logout.status, 0, logout.stderr)
        XCTAssertTrue(logout.stderr.contains("Removed the credential for 'anthropic' from: file."), logout.stderr)
        XCTAssertTrue(logout.stderr.contains("Removed the credential for 'other' from: file."), logout.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath), "auth.json is left behind")

        let status = try parseObject(try sandbox.run(["auth", "status", "--json"]))
        XCTAssertEqual((status["credentials"] as? [Any])?.count, 0)
    }

    func testStorageStatusJSONShape() throws {
        let sandbox = try FileStorageSandbox()
        try login(sandbox, provider: "anthropic", key: "sk-test-0123456789abcdefghij")

        let result = try sandbox.run(["auth", "storage", "status", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try parseObject(result)
        XCTAssertEqual(Set(object.keys), ["setting", "storage", "location", "usable", "reason", "providers", "also_read"])
        XCTAssertEqual(object["setting"] as? String, "file")
        XCTAssertEqual(object["storage"] as? String, "file")
        XCTAssertEqual(object["location"] as? String, sandbox.authFilePath)
        XCTAssertEqual(object["usable"] as? Bool, true)
        XCTAssertEqual(object["reason"] as? String, "CLAUDE_GATE_AUTH_STORAGE_TYPE is file")
        XCTAssertEqual((object["providers"] as? NSNumber)?.intValue, 1)
        XCTAssertEqual((object["also_read"] as? [Any])?.count, 0)
    }

    func testStorageStatusJSONWhenKeyringUnusable() throws {
        // With no D-Bus address in the environment the keyring cannot be
        // reached, so the forced keyring storage is reported as not usable.
        let result = try FileStorageSandbox().run(["auth", "storage", "status", "--json"],
                                          environment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring"])
        XCTAssertEqual(result.status, 4, result.stderr)
        let object = try parseObject(result)
        XCTAssertEqual(object["setting"] as? String, "keyring")
        XCTAssertEqual(object["storage"] as? String, "keyring")
        XCTAssertEqual(object["usable"] as? Bool, false)
        XCTAssertTrue(object["providers"] is NSNull, "providers is \(String(describing: object["providers"]))")
        XCTAssertTrue((object["reason"] as? String ?? "").contains("no D-Bus session bus"), "\(object)")
    }
}
