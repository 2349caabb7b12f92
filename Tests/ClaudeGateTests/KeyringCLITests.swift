import Foundation
import XCTest

/// The CLI against the real gnome-keyring that scripts/test-keyring.sh
/// starts, with secret-tool and Python secretstorage as peer clients.
final class KeyringCLITests: XCTestCase {
    private var sandbox: CLISandbox!

    override func setUpWithError() throws {
        sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
    }

    func testLoginIsReadBySecretTool() throws {
        let login = try sandbox.run(["auth", "login", "--provider", "anthropic"], stdin: "sk-ant-test-0123456789\n")
        XCTAssertEqual(login.status, 0, login.stderr)

        let lookup = try sandbox.secretTool(["lookup", "service", sandbox.serviceName, "username", "anthropic"])
        XCTAssertEqual(lookup.status, 0, lookup.stderr)
        let stored = try JSONSerialization.jsonObject(with: lookup.stdout) as? [String: String]
        XCTAssertEqual(stored?["type"], "api")
        XCTAssertEqual(stored?["key"], "sk-ant-test-0123456789")
    }

    func testSecretToolStoreIsReadByToken() throws {
        let value = #"{"type":"api","key":"stored-by-secret-tool"}"#
        let store = try sandbox.secretTool(
            ["store", "--label", "peer", "service", sandbox.serviceName, "username", "anthropic"], stdin: value)
        XCTAssertEqual(store.status, 0, store.stderr)

        let token = try sandbox.run(["auth", "token"])
        XCTAssertEqual(token.status, 0, token.stderr)
        XCTAssertEqual(token.stdoutText, "stored-by-secret-tool\n")
    }

    func testItemHasLabelAndAttributes() throws {
        XCTAssertEqual(try sandbox.run(["auth", "login", "--provider", "work"], stdin: "key-for-work\n").status, 0)

        let search = try sandbox.secretTool(["search", "--all", "service", sandbox.serviceName, "username", "work"])
        XCTAssertEqual(search.status, 0, search.stderr)
        let description = search.stdoutText + search.stderr
        XCTAssertTrue(description.contains("label = Claude Gate - work"), description)
        XCTAssertTrue(description.contains("attribute.service = \(sandbox.serviceName)"), description)
        XCTAssertTrue(description.contains("attribute.username = work"), description)
    }

    func testPythonSecretStorageReadsItemOverDH() throws {
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: "read-by-python\n").status, 0)

        let script = """
        import json, sys, secretstorage
        connection = secretstorage.dbus_init()
        items = list(secretstorage.search_items(connection, {"service": sys.argv[1], "username": "anthropic"}))
        assert len(items) == 1, items
        item = items[0]
        # secretstorage opens a dh-ietf1024-sha256-aes128-cbc-pkcs7 session
        # unless the service refuses it; report which one it used.
        secret = item.get_secret()
        print(json.dumps({"secret": secret.decode(), "encrypted": item.session.encrypted,
                          "label": item.get_label()}))
        """
        let result = try runProcess(TestEnvironment.systemPython, ["-c", script, sandbox.serviceName],
                                    environment: sandbox.environment)
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        let secret = try JSONSerialization.jsonObject(with: Data(((output?["secret"] as? String) ?? "").utf8)) as? [String: String]
        XCTAssertEqual(secret?["key"], "read-by-python")
        XCTAssertEqual(output?["encrypted"] as? Bool, true)
        XCTAssertEqual(output?["label"] as? String, "Claude Gate - anthropic")
    }

    func testLogoutRemovesItem() throws {
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: "to-be-removed\n").status, 0)

        let logout = try sandbox.run(["auth", "logout", "--provider", "anthropic"])
        XCTAssertEqual(logout.status, 0, logout.stderr)
        XCTAssertTrue(logout.stderr.contains("Removed the credential for 'anthropic' from: keyring"), logout.stderr)

        let lookup = try sandbox.secretTool(["lookup", "service", sandbox.serviceName, "username", "anthropic"])
        XCTAssertNotEqual(lookup.status, 0)
        let token = try sandbox.run(["auth", "token"])
        XCTAssertEqual(token.status, 3)
        XCTAssertEqual(token.stdout.count, 0)
    }

    func testLogoutWithoutProviderRemovesAll() throws {
        XCTAssertEqual(try sandbox.run(["auth", "login", "--provider", "one"], stdin: "first-key\n").status, 0)
        XCTAssertEqual(try sandbox.run(["auth", "login", "--provider", "two"], stdin: "second-key\n").status, 0)

        XCTAssertEqual(try sandbox.run(["auth", "logout"]).status, 0)

        XCTAssertEqual(try sandbox.run(["auth", "token", "--provider", "one"]).status, 3)
        XCTAssertEqual(try sandbox.run(["auth", "token", "--provider", "two"]).status, 3)
    }

    func testServiceNamesAreKeptApart() throws {
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: "profile-a-key\n").status, 0)
        let otherService = ["CLAUDE_GATE_KEYRING_SERVICE": sandbox.serviceName + "-b"]
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: "profile-b-key\n", extraEnvironment: otherService).status, 0)

        XCTAssertEqual(try sandbox.run(["auth", "token"]).stdoutText, "profile-a-key\n")
        XCTAssertEqual(try sandbox.run(["auth", "token"], extraEnvironment: otherService).stdoutText, "profile-b-key\n")

        XCTAssertEqual(try sandbox.run(["auth", "logout"], extraEnvironment: otherService).status, 0)
        XCTAssertEqual(try sandbox.run(["auth", "token"]).stdoutText, "profile-a-key\n")
    }

    func testDumpShowsDHSessionAndNoSecret() throws {
        let secret = "dump-secret-value-0123456789"
        let login = try sandbox.run(["--dump-dbus", "auth", "login"], stdin: secret + "\n")
        XCTAssertEqual(login.status, 0, login.stderr)
        let token = try sandbox.run(["--dump-dbus", "auth", "token"])
        XCTAssertEqual(token.stdoutText, secret + "\n")

        for dump in [login.stderr, token.stderr] {
            XCTAssertTrue(dump.contains("member=org.freedesktop.Secret.Service.OpenSession"), dump)
            XCTAssertTrue(dump.contains("\"dh-ietf1024-sha256-aes128-cbc-pkcs7\""), dump)
            XCTAssertTrue(dump.contains("<redacted"), dump)
            XCTAssertFalse(dump.contains(secret), "the dump contains the secret")
            XCTAssertFalse(dump.contains(hexString(secret)), "the dump contains the secret in hex")
        }
        XCTAssertTrue(login.stderr.contains("member=org.freedesktop.Secret.Collection.CreateItem"), login.stderr)
        XCTAssertTrue(token.stderr.contains("member=org.freedesktop.Secret.Service.GetSecrets"), token.stderr)
    }

    func testDumpEnvironmentVariableEnablesDump() throws {
        let status = try sandbox.run(["auth", "storage", "status"], extraEnvironment: ["CLAUDE_GATE_DBUS_DUMP": "1"])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stderr.contains("member=org.freedesktop.Secret.Service.ReadAlias"), status.stderr)
    }

    func testLargeSecretRoundTrips() throws {
        // 64 KiB of printable text, in a pattern that a truncation or an
        // off-by-one block would change.
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        let secret = String((0..<65536).map { alphabet[($0 * 7 + $0 / 64) % alphabet.count] })
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: secret + "\n").status, 0)

        let token = try sandbox.run(["auth", "token"])
        XCTAssertEqual(token.status, 0, token.stderr)
        XCTAssertEqual(token.stdout, Data((secret + "\n").utf8))
    }

    func testSpecialCharactersRoundTripByteForByte() throws {
        let secret = #"back\slash "quoted" 'single' tab"# + "\t" + #"é ü 日本語 🔑 \u0041 {"json":true}"#
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: secret + "\n").status, 0)

        let token = try sandbox.run(["auth", "token"])
        XCTAssertEqual(token.stdout, Data((secret + "\n").utf8))

        let lookup = try sandbox.secretTool(["lookup", "service", sandbox.serviceName, "username", "anthropic"])
        let stored = try JSONSerialization.jsonObject(with: lookup.stdout) as? [String: String]
        XCTAssertEqual(stored?["key"], secret)
    }

    func testOAuthLoginStatusAndToken() throws {
        let expires = Int(Date().timeIntervalSince1970) + 3600
        let input = #"{"access":"oauth-access-0123456789abcdef","refresh":"oauth-refresh-token","expires":\#(expires)}"#
        let login = try sandbox.run(["auth", "login", "--oauth"], stdin: input)
        XCTAssertEqual(login.status, 0, login.stderr)

        XCTAssertEqual(try sandbox.run(["auth", "token"]).stdoutText, "oauth-access-0123456789abcdef\n")
        let status = try sandbox.run(["auth", "status"])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdoutText.contains("oauth"), status.stdoutText)
        XCTAssertTrue(status.stdoutText.contains("Valid"), status.stdoutText)
        XCTAssertTrue(status.stdoutText.contains("oaut...cdef"), status.stdoutText)
        XCTAssertFalse(status.stdoutText.contains("oauth-access-0123456789abcdef"), "status shows the whole token")
    }

    func testStatusReportsExpiredAndNeedsRefresh() throws {
        let now = Int(Date().timeIntervalSince1970)
        for (provider, expires) in [("expired", now - 10), ("soon", now + 60)] {
            let input = #"{"access":"access-token-for-\#(provider)","refresh":"r","expires":\#(expires)}"#
            XCTAssertEqual(try sandbox.run(["auth", "login", "--oauth", "--provider", provider], stdin: input).status, 0)
        }

        let status = try sandbox.run(["auth", "status"]).stdoutText
        let lines = status.split(separator: "\n")
        let expiredLine = lines.first { $0.hasPrefix("expired ") } ?? ""
        let soonLine = lines.first { $0.hasPrefix("soon ") } ?? ""
        XCTAssertTrue(expiredLine.contains("Expired"), status)
        XCTAssertTrue(soonLine.contains("Needs Refresh"), status)
    }

    func testStorageTestLeavesNothingBehind() throws {
        let result = try sandbox.run(["auth", "storage", "test"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for step in ["write: ok", "read: ok", "list: ok", "delete: ok"] {
            XCTAssertTrue(result.stdoutText.contains(step), result.stdoutText)
        }
        let search = try sandbox.secretTool(["search", "--all", "service", sandbox.serviceName])
        XCTAssertEqual(search.stdoutText, "")
    }

    func testStorageStatusJSONReportsKeyring() throws {
        let result = try sandbox.run(["auth", "storage", "status", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let report = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any]
        XCTAssertEqual(report?["storage"] as? String, "keyring")
        XCTAssertEqual(report?["usable"] as? Bool, true)
        XCTAssertEqual(report?["providers"] as? Int, 0)
    }

    func testPlainSessionWhenForced() throws {
        let plain = ["CLAUDE_GATE_SECRET_SESSION": "plain"]
        let login = try sandbox.run(["--dump-dbus", "auth", "login"], stdin: "plain-session-key\n", extraEnvironment: plain)
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertTrue(login.stderr.contains("(\"plain\", <s> \"\")"), login.stderr)
        XCTAssertEqual(try sandbox.run(["auth", "token"]).stdoutText, "plain-session-key\n")
    }

    func testNonJSONSecretIsReportedClearly() throws {
        let store = try sandbox.secretTool(
            ["store", "--label", "raw", "service", sandbox.serviceName, "username", "anthropic"], stdin: "not json")
        XCTAssertEqual(store.status, 0, store.stderr)

        let token = try sandbox.run(["auth", "token"])
        XCTAssertEqual(token.status, 6)
        XCTAssertEqual(token.stdout.count, 0)
        XCTAssertTrue(token.stderr.contains("the secret is not JSON"), token.stderr)
        XCTAssertTrue(token.stderr.contains("auth login --provider anthropic"), token.stderr)
        XCTAssertFalse(token.stderr.contains("not json"), "the error shows the secret")
    }
}

func hexString(_ text: String) -> String {
    text.utf8.map { String(format: "%02x", $0) }.joined()
}
