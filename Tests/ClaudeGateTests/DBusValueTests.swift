import DBus
import SecretService
import XCTest

final class DBusValueTests: XCTestCase {
    private let sampleArguments: [DBusValue] = [
        .string("dh-ietf1024-sha256-aes128-cbc-pkcs7"),
        .variant(.bytes([0, 1, 2, 255])),
        .boolean(true),
        .uint32(7),
        .int64(-3),
        .double(1.5),
        .objectPath("/org/freedesktop/secrets/collection/login"),
        .array(elementSignature: "o", []),
        .stringDictionary(["service": "claude-gate", "username": "anthropic"]),
        .variantDictionary([("org.freedesktop.Secret.Item.Label", .string("Claude Gate - anthropic"))]),
        .structure([.objectPath("/s/1"), .bytes([]), .bytes(Array("secret".utf8)), .string("text/plain")]),
    ]

    func testSignaturesOfContainers() {
        XCTAssertEqual(DBusValue.stringDictionary([:]).signature, "a{ss}")
        XCTAssertEqual(DBusValue.variantDictionary([]).signature, "a{sv}")
        XCTAssertEqual(sampleArguments[10].signature, "(oayays)")
        XCTAssertEqual(DBusValue.array(elementSignature: "o", []).signature, "ao")
    }

    func testMessageRoundTripsThroughWireFormat() throws {
        let message = try DBusMessage.methodCall(
            destination: "org.freedesktop.secrets", path: "/org/freedesktop/secrets",
            interface: "org.freedesktop.Secret.Service", member: "Test", arguments: sampleArguments)
        let parsed = try DBusMessage.demarshal(try message.marshalled())

        XCTAssertEqual(try parsed.arguments(), sampleArguments)
        XCTAssertEqual(parsed.member, "Test")
        XCTAssertEqual(parsed.signature, sampleArguments.map(\.signature).joined())
    }

    func testInvalidObjectPathIsRejected() {
        XCTAssertThrowsError(try DBusMessage.methodCall(
            destination: "org.freedesktop.secrets", path: "/org/", interface: "a.b", member: "C", arguments: [])) { error in
            XCTAssertEqual(error as? DBusError, .marshalling("'/org/' is not a valid object path"))
        }
    }

    func testStringWithNULIsRejected() {
        XCTAssertThrowsError(try DBusMessage.methodCall(
            destination: "org.freedesktop.secrets", path: "/", interface: "a.b", member: "C", arguments: [.string("a\0b")]))
    }

    func testArrayElementOfWrongTypeIsRejected() {
        XCTAssertThrowsError(try DBusMessage.methodCall(
            destination: "org.freedesktop.secrets", path: "/", interface: "a.b", member: "C",
            arguments: [.array(elementSignature: "o", [.string("not a path")])]))
    }

    func testGarbageIsNotAMessage() {
        XCTAssertThrowsError(try DBusMessage.demarshal([0x6c, 0x01, 0x00, 0x01, 0xff, 0xff]))
    }

    func testDumpRedactsSecretValue() throws {
        var lines: [String] = []
        let dump = MessageDump(redactedStructFields: SecretServiceNames.dumpRedactions) { lines.append($0) }
        let message = try DBusMessage.methodCall(
            destination: "org.freedesktop.secrets", path: "/org/freedesktop/secrets/collection/login",
            interface: "org.freedesktop.Secret.Collection", member: "CreateItem",
            arguments: [.structure([.objectPath("/s/1"), .bytes([1, 2]), .bytes(Array("top-secret".utf8)),
                                    .string("text/plain")])])
        dump.write(message, direction: .sent)

        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].contains("member=org.freedesktop.Secret.Collection.CreateItem"), lines[0])
        XCTAssertTrue(lines[1].contains("<redacted 10 bytes>"), lines[1])
        XCTAssertFalse(lines.joined().contains("top-secret"))
        XCTAssertFalse(lines.joined().contains(hexString("top-secret")))
    }

    func testSessionBusAddressNeverAutolaunches() {
        XCTAssertThrowsError(try DBusConnection.sessionBusAddress(environment: [:])) { error in
            XCTAssertEqual(error as? DBusError, .noSessionBusAddress)
        }
        XCTAssertEqual(try DBusConnection.sessionBusAddress(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"]),
                       "unix:path=/run/user/1000/bus")
        XCTAssertEqual(try DBusConnection.sessionBusAddress(
            environment: ["DBUS_SESSION_BUS_ADDRESS": "unix:path=/x", "XDG_RUNTIME_DIR": "/run/user/1000"]), "unix:path=/x")
    }

    func testConnectingToMissingSocketFailsWithAddress() {
        XCTAssertThrowsError(try DBusConnection(address: "unix:path=/nonexistent/claude-gate-test-bus", methodTimeout: 1)) { error in
            guard case .connectionFailed(let address, _, _)? = error as? DBusError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(address, "unix:path=/nonexistent/claude-gate-test-bus")
        }
    }
}
