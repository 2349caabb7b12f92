import Foundation
import XCTest

/// `--dump-dbus=pcap:FILE` against the real gnome-keyring, read back by tshark.
final class DumpCaptureTests: XCTestCase {
    private let tshark = "/usr/bin/tshark"

    func testCaptureParsesAndHasNoSecret() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        guard FileManager.default.isExecutableFile(atPath: tshark) else {
            return XCTFail("tshark is not installed: run scripts/install-dependencies.sh")
        }
        let capture = sandbox.home.appendingPathComponent("login.pcap").path
        let secret = "capture-secret-0123456789"

        // A plain session sends the secret in the clear, so a capture that
        // kept it would show it verbatim.
        let login = try sandbox.run(["--dump-dbus=pcap:\(capture)", "auth", "login"], stdin: secret + "\n",
                                    extraEnvironment: ["CLAUDE_GATE_SECRET_SESSION": "plain"])
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertFalse(login.stderr.contains("dbus >>"), "a pcap dump also wrote text")

        let bytes = try Data(contentsOf: URL(fileURLWithPath: capture))
        XCTAssertNil(bytes.range(of: Data(secret.utf8)), "the capture contains the secret")
        let mode = try FileManager.default.attributesOfItem(atPath: capture)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        let fields = try runProcess(tshark, ["-r", capture, "-T", "fields", "-e", "dbus.member"],
                                    environment: ["PATH": "/usr/bin:/bin", "HOME": sandbox.home.path])
        XCTAssertEqual(fields.status, 0, fields.stderr)
        let members = Set(fields.stdoutText.split(separator: "\n").map(String.init))
        for member in ["Hello", "ReadAlias", "OpenSession", "CreateItem"] {
            XCTAssertTrue(members.contains(member), "tshark found no \(member) in \(members)")
        }
    }

    func testCaptureToUnwritablePathFails() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        let capture = sandbox.home.appendingPathComponent("missing-directory/out.pcap").path
        let result = try sandbox.run(["--dump-dbus=pcap:\(capture)", "auth", "status"])
        XCTAssertEqual(result.status, 6, result.stderr)
        XCTAssertTrue(result.stderr.contains("creating the D-Bus capture \(capture) failed"), result.stderr)
    }
}
