@testable import ClaudeGateStorage
import XCTest

final class StorageModelTests: XCTestCase {
    func testCredentialParsesGoLayout() throws {
        let json = try JSONValue.parse(Array(#"{"type":"oauth","access":"a","refresh":"r","expires":1700000000}"#.utf8))
        let credential = try Credential(json: json)
        XCTAssertEqual(credential, .oauth(access: "a", refresh: "r", expiresAt: 1_700_000_000))
    }

    func testCredentialKeepsUnknownFields() throws {
        let json = try JSONValue.parse(Array(#"{"type":"api","key":"k","scopes":["x"],"note":null}"#.utf8))
        let credential = try Credential(json: json)
        XCTAssertEqual(credential.otherFields["scopes"], .array([.string("x")]))
        XCTAssertEqual(credential.json.objectValue?["scopes"], .array([.string("x")]))
    }

    func testCredentialRejectsWrongTypes() {
        let cases = [
            #"{"type":"password","key":"k"}"#: "not \"oauth\" or \"api\"",
            #"{"key":"k"}"#: "no \"type\"",
            #"{"type":"api"}"#: "no \"key\"",
            #"{"type":"oauth","access":1}"#: "\"access\" is a JSON number",
            #"{"type":"oauth","access":"a","expires":"soon"}"#: "\"expires\" is a JSON string",
            #"["api"]"#: "is a JSON array",
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try Credential(json: try JSONValue.parse(Array(text.utf8))), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(text): \(error)")
            }
        }
    }

    func testValidityUsesFiveMinuteMargin() {
        let credential = Credential.oauth(access: "a", refresh: "r", expiresAt: 10_000)
        XCTAssertEqual(credential.validity(now: 9_000), .valid)
        XCTAssertEqual(credential.validity(now: 9_700), .needsRefresh)
        XCTAssertEqual(credential.validity(now: 10_000), .expired)
        XCTAssertEqual(Credential.apiKey("k").validity(now: 99_999_999), .valid)
    }

    func testAuthDocumentKeepsUnknownProviders() throws {
        let text = #"{"anthropic":{"type":"api","key":"k"},"future":{"type":"webauthn","blob":[1,2]}}"#
        var document = try AuthDocument(parsing: Array(text.utf8))
        document.setCredential(.apiKey("new"), for: "anthropic")
        let reparsed = try AuthDocument(parsing: try document.serialized())

        XCTAssertEqual(reparsed.entries["future"], document.entries["future"])
        XCTAssertEqual(try reparsed.credential(for: "anthropic"), .apiKey("new"))
    }

    func testAuthDocumentRejectsBadFiles() {
        let cases: [([UInt8], String)] = [
            ([], "empty"),
            ([0xff, 0xfe, 0x7b], "not valid UTF-8"),
            (Array("{\"a\":".utf8), "not valid JSON"),
            (Array("[1,2]".utf8), "contains a JSON array"),
        ]
        for (bytes, expected) in cases {
            XCTAssertThrowsError(try AuthDocument(parsing: bytes)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }

    func testConfigurationDefaults() throws {
        let configuration = try StorageConfiguration.fromEnvironment(["HOME": "/home/user"])
        XCTAssertEqual(configuration.storageType, .auto)
        XCTAssertEqual(configuration.keyringService, "claude-gate")
        XCTAssertEqual(configuration.filePath, "/home/user/.claude-gate/auth.json")
        XCTAssertEqual(configuration.methodTimeout, 25)
    }

    func testConfigurationRejectsInvalidValues() {
        let cases = [
            "CLAUDE_GATE_AUTH_STORAGE_TYPE": "vault",
            "CLAUDE_GATE_KEYRING_SERVICE": "",
            "CLAUDE_GATE_AUTH_STORAGE_PATH": "relative/auth.json",
            "CLAUDE_GATE_DBUS_TIMEOUT": "soon",
            "CLAUDE_GATE_PROMPT_TIMEOUT": "-1",
            "CLAUDE_GATE_SECRET_SESSION": "aes",
            "CLAUDE_GATE_DBUS_DUMP": "maybe",
        ]
        for (variable, value) in cases {
            XCTAssertThrowsError(try StorageConfiguration.fromEnvironment(["HOME": "/home/user", variable: value])) { error in
                guard case .invalidSetting(let reported, let reportedValue, _)? = error as? StorageError else {
                    return XCTFail("\(variable): unexpected error \(error)")
                }
                XCTAssertEqual(reported, variable)
                XCTAssertEqual(reportedValue, value)
            }
        }
    }

    func testConfigurationExpandsTildeInPath() throws {
        let configuration = try StorageConfiguration.fromEnvironment(
            ["HOME": "/home/user", "CLAUDE_GATE_AUTH_STORAGE_PATH": "~/tokens/auth.json"])
        XCTAssertEqual(configuration.filePath, "/home/user/tokens/auth.json")
    }
}
