import DBus
import Foundation
import SecretService
import XCTest

/// Checks every method the client sends against the introspection XML in
/// dbus-interfaces/: the method must be declared there, with the input
/// signature the client sends and the output signature the client accepts.
final class InterfaceConformanceTests: XCTestCase {
    /// Method declarations from the XML, keyed by "interface.member".
    struct MethodDeclaration: Equatable {
        var input: String
        var output: String
    }

    static func loadDeclarations() throws -> [String: MethodDeclaration] {
        let directory = TestEnvironment.packageRoot.appendingPathComponent("dbus-interfaces")
        var declarations: [String: MethodDeclaration] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".xml") {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            var interface = ""
            var member: String?
            var declaration = MethodDeclaration(input: "", output: "")
            for line in text.split(separator: "\n").map(String.init) {
                if let name = attribute("name", in: line), line.contains("<interface ") {
                    interface = name
                } else if let name = attribute("name", in: line), line.contains("<method ") {
                    member = name
                    declaration = MethodDeclaration(input: "", output: "")
                    if line.contains("/>") {
                        declarations["\(interface).\(name)"] = declaration
                        member = nil
                    }
                } else if member != nil, line.contains("<arg "), let type = attribute("type", in: line) {
                    if attribute("direction", in: line) == "out" {
                        declaration.output += type
                    } else {
                        declaration.input += type
                    }
                } else if let name = member, line.contains("</method>") {
                    declarations["\(interface).\(name)"] = declaration
                    member = nil
                }
            }
        }
        return declarations
    }

    private static func attribute(_ name: String, in line: String) -> String? {
        guard let start = line.range(of: " \(name)=\"") else { return nil }
        let rest = line[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    func testXMLDeclaresTheSecretServiceInterfaces() throws {
        let declarations = try Self.loadDeclarations()
        XCTAssertEqual(declarations["org.freedesktop.Secret.Service.OpenSession"], MethodDeclaration(input: "sv", output: "vo"))
        XCTAssertEqual(declarations["org.freedesktop.Secret.Service.GetSecrets"],
                       MethodDeclaration(input: "aoo", output: "a{o(oayays)}"))
        XCTAssertEqual(declarations["org.freedesktop.Secret.Collection.CreateItem"],
                       MethodDeclaration(input: "a{sv}(oayays)b", output: "oo"))
        XCTAssertEqual(declarations["org.freedesktop.Secret.Session.Close"], MethodDeclaration(input: "", output: ""))
        XCTAssertEqual(declarations["org.freedesktop.Secret.Prompt.Prompt"], MethodDeclaration(input: "s", output: ""))
    }

    /// Runs every client operation against the real gnome-keyring with a dump
    /// that records each method call and the signature of its reply.
    func testEveryMethodTheClientSendsIsDeclared() throws {
        let address = try TestEnvironment.requireTestKeyring()
        let recorder = CallRecorder()
        let dump = MessageDump(redactedStructFields: SecretServiceNames.dumpRedactions, writeLine: recorder.record)

        for algorithm in [SessionAlgorithmPreference.dh, .plain] {
            let options = SecretServiceOptions(methodTimeout: 10, promptTimeout: 5, sessionAlgorithm: algorithm, dump: dump)
            let client = try SecretServiceClient.connect(environment: ["DBUS_SESSION_BUS_ADDRESS": address], options: options)
            let attributes = ["service": "claude-gate-conformance", "username": "provider"]

            try client.storeSecret(Array("value".utf8), label: "conformance", attributes: attributes, contentType: "text/plain")
            XCTAssertEqual(try client.readSecret(matching: attributes), Array("value".utf8))
            XCTAssertEqual(try client.itemAttributes(matching: attributes).count, 1)
            XCTAssertEqual(try client.deleteSecrets(matching: attributes), 1)

            // Unlock of an unlocked collection needs no prompt; a prompt path
            // that does not exist still sends AddMatch and Prompt.
            let collection = try client.defaultCollection()
            _ = try ServiceProxy(connection: client.connection).unlock([collection])
            XCTAssertThrowsError(try PromptRunner(connection: client.connection, timeout: 1)
                .run("/org/freedesktop/secrets/prompt/none"))
            client.closeSession()
        }

        let declarations = try Self.loadDeclarations()
        XCTAssertFalse(recorder.calls.isEmpty)
        for call in recorder.calls {
            guard let declaration = declarations[call.member] else {
                XCTFail("\(call.member) is not declared in dbus-interfaces/")
                continue
            }
            XCTAssertEqual(call.inputSignature, declaration.input, "input signature of \(call.member)")
            if let reply = recorder.replySignatures[call.serial] {
                XCTAssertEqual(reply, declaration.output, "reply signature of \(call.member)")
            }
        }
        let members = Set(recorder.calls.map(\.member))
        for expected in ["org.freedesktop.Secret.Service.OpenSession", "org.freedesktop.Secret.Service.SearchItems",
                         "org.freedesktop.Secret.Service.GetSecrets", "org.freedesktop.Secret.Service.ReadAlias",
                         "org.freedesktop.Secret.Service.Unlock", "org.freedesktop.Secret.Collection.CreateItem",
                         "org.freedesktop.Secret.Item.Delete", "org.freedesktop.Secret.Session.Close",
                         "org.freedesktop.Secret.Prompt.Prompt", "org.freedesktop.DBus.Properties.Get"] {
            XCTAssertTrue(members.contains(expected), "the run did not exercise \(expected)")
        }
    }
}

/// Collects method calls and reply signatures from dump header lines.
private final class CallRecorder: @unchecked Sendable {
    struct Call {
        var serial: String
        var member: String
        var inputSignature: String
    }

    var calls: [Call] = []
    var replySignatures: [String: String] = [:]

    func record(_ line: String) {
        let fields = Dictionary(line.split(separator: " ").compactMap { field -> (String, String)? in
            guard let equals = field.firstIndex(of: "=") else { return nil }
            return (String(field[..<equals]), String(field[field.index(after: equals)...]))
        }, uniquingKeysWith: { first, _ in first })
        let signature = (fields["signature"] ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "'"))

        if line.hasPrefix("dbus >> method_call"), let serial = fields["serial"], let member = fields["member"] {
            calls.append(Call(serial: serial, member: member, inputSignature: signature))
        } else if line.hasPrefix("dbus << method_return"), let serial = fields["reply_serial"] {
            replySignatures[serial] = signature
        }
    }
}
