import Foundation
import XCTest
@testable import ClaudeGateStorage

/// Links, foreign owners and loose modes of `auth.json` and its directory.
/// Tests of other owners need root (chown), which CI has; they skip
/// otherwise.
final class FileStoreSafetyTests: XCTestCase {
    private var root = ""
    private var directory = ""
    private var path = ""
    private let content = Array(#"{"anthropic":{"type":"api","key":"sk-1"}}"#.utf8)

    /// A user id other than the test's: the user "nobody" on Debian.
    private let otherUser: uid_t = 65534

    override func setUpWithError() throws {
        root = try makeTemporaryDirectory(self)
        directory = root + "/.claude-gate"
        path = directory + "/auth.json"
    }

    private func requireRoot() throws {
        try XCTSkipUnless(geteuid() == 0, "changing a file's owner needs root")
    }

    private func isUnsafe(_ error: StorageError, at expectedPath: String, containing text: String) -> Bool {
        guard case .unsafePath(let errorPath, let detail, _) = error else { return false }
        return errorPath == expectedPath && detail.contains(text)
    }

    func testSymlinkedFileRejected() throws {
        let target = root + "/elsewhere.json"
        try writeFile(target, content)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        XCTAssertEqual(symlink(target, path), 0)

        let store = FileStore(path: path)
        assertStorageError(try store.read(provider: "anthropic")) { self.isUnsafe($0, at: self.path, containing: "symbolic link") }
        assertStorageError(try store.write(.apiKey("x"), provider: "anthropic")) { self.isUnsafe($0, at: self.path, containing: "symbolic link") }
        XCTAssertEqual(fileBytes(target), content)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: path), target)
    }

    func testSymlinkedDirectoryRejected() throws {
        let realDirectory = root + "/real"
        try writeFile(realDirectory + "/auth.json", content)
        XCTAssertEqual(symlink(realDirectory, directory), 0)

        let store = FileStore(path: path)
        assertStorageError(try store.read(provider: "anthropic")) { self.isUnsafe($0, at: self.directory, containing: "symbolic link") }
        assertStorageError(try store.write(.apiKey("x"), provider: "anthropic")) { self.isUnsafe($0, at: self.directory, containing: "symbolic link") }
        XCTAssertEqual(fileBytes(realDirectory + "/auth.json"), content)
    }

    func testFileOwnedByOtherUserRejected() throws {
        try requireRoot()
        try writeFile(path, content)
        XCTAssertEqual(chown(path, otherUser, otherUser), 0)

        let store = FileStore(path: path)
        let error = assertStorageError(try store.read(provider: "anthropic")) { self.isUnsafe($0, at: self.path, containing: "owned by user id 65534") }
        XCTAssertTrue(error.map { "\($0)".contains("chown") } ?? false)
        assertStorageError(try store.write(.apiKey("x"), provider: "anthropic")) { self.isUnsafe($0, at: self.path, containing: "owned by") }
        XCTAssertEqual(fileBytes(path), content)
    }

    func testDirectoryOwnedByOtherUserRejected() throws {
        try requireRoot()
        try writeFile(path, content)
        XCTAssertEqual(chown(directory, otherUser, otherUser), 0)

        let store = FileStore(path: path)
        assertStorageError(try store.read(provider: "anthropic")) { self.isUnsafe($0, at: self.directory, containing: "owned by user id 65534") }
        assertStorageError(try store.write(.apiKey("x"), provider: "anthropic")) { self.isUnsafe($0, at: self.directory, containing: "owned by") }
        XCTAssertEqual(fileBytes(path), content)
    }

    func testGroupReadableFileTightened() throws {
        try writeFile(path, content, mode: 0o644)
        let store = FileStore(path: path)

        XCTAssertEqual(try store.read(provider: "anthropic"), .apiKey("sk-1"))
        XCTAssertEqual(fileMode(path), 0o600)
        XCTAssertEqual(fileBytes(path), content)
    }

    func testOpenClaudeGateDirectoryTightened() throws {
        try writeFile(path, content)
        XCTAssertEqual(chmod(directory, 0o755), 0)

        XCTAssertEqual(try FileStore(path: path).read(provider: "anthropic"), .apiKey("sk-1"))
        XCTAssertEqual(fileMode(directory), 0o700)
    }

    func testOtherDirectoryModeNotChanged() throws {
        let customPath = root + "/custom/auth.json"
        try writeFile(customPath, content)
        XCTAssertEqual(chmod(root + "/custom", 0o755), 0)

        XCTAssertEqual(try FileStore(path: customPath).read(provider: "anthropic"), .apiKey("sk-1"))
        XCTAssertEqual(fileMode(root + "/custom"), 0o755)
    }

    func testWorldWritableDirectoryRejected() throws {
        let customDirectory = root + "/shared"
        let customPath = customDirectory + "/auth.json"
        try writeFile(customPath, content)
        XCTAssertEqual(chmod(customDirectory, 0o777), 0)

        let store = FileStore(path: customPath)
        assertStorageError(try store.read(provider: "anthropic")) { self.isUnsafe($0, at: customDirectory, containing: "other users can write") }
        assertStorageError(try store.write(.apiKey("x"), provider: "anthropic")) { self.isUnsafe($0, at: customDirectory, containing: "other users can write") }
        XCTAssertEqual(fileBytes(customPath), content)
    }

    func testStickyWorldWritableDirectoryAllowed() throws {
        let customDirectory = root + "/sticky"
        let customPath = customDirectory + "/auth.json"
        try writeFile(customPath, content)
        XCTAssertEqual(chmod(customDirectory, 0o1777), 0)

        XCTAssertEqual(try FileStore(path: customPath).read(provider: "anthropic"), .apiKey("sk-1"))
    }

    func testNewFileAndDirectoryArePrivate() throws {
        let store = FileStore(path: path)
        try store.write(.apiKey("sk-1"), provider: "anthropic")

        XCTAssertEqual(fileMode(directory), 0o700)
        XCTAssertEqual(fileMode(path), 0o600)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path + ".lock"))
    }

    func testDirectoryInPlaceOfFileRejected() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let store = FileStore(path: path)
        assertStorageError(try store.read(provider: "anthropic")) { error in
            if case .fileSystem(let errorPath, _, _) = error { return errorPath == self.path }
            return self.isUnsafe(error, at: self.path, containing: "not a regular file")
        }
    }

    func testStaleTemporaryFilesRemovedOnWrite() throws {
        try writeFile(path, content)
        let stale = directory + "/.auth.json.tmp-99999-abcdef"
        try writeFile(stale, Array("partial".utf8))

        try FileStore(path: path).write(.apiKey("sk-2"), provider: "other")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertEqual(try FileStore(path: path).listProviders(), ["anthropic", "other"])
    }
}
