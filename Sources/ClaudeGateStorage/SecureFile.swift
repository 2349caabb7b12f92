#if canImport(Glibc)
import Glibc
#endif

/// File operations for files that hold secrets: no symlinks followed, files
/// created 0600 in 0700 directories, and writes that a crash cannot tear.
enum SecureFile {
    /// Reads a whole file, or returns nil when it or its directory does not
    /// exist. The file and its directory must pass the checks of
    /// ``checkDirectory(_:warn:)`` and ``checkFile(_:path:info:warn:)``.
    ///
    /// The file is opened with O_NOFOLLOW, so a symlink at `path` fails with
    /// ELOOP instead of being followed.
    static func read(_ path: String, warn: (String) -> Void) throws -> [UInt8]? {
        guard try checkDirectory(parentDirectory(of: path), warn: warn) else { return nil }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        if descriptor < 0 {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP {
                throw StorageError.unsafePath(path: path, detail: "it is a symbolic link",
                                              fix: "Replace the link with the file itself")
            }
            throw StorageError.fileSystem(path: path, operation: "opening", errno: code)
        }
        defer { close(descriptor) }

        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw StorageError.fileSystem(path: path, operation: "inspecting", errno: errno)
        }
        try checkFile(descriptor, path: path, info: info, warn: warn)

        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw StorageError.fileSystem(path: path, operation: "reading", errno: errno)
            }
            if count == 0 { break }
            contents.append(contentsOf: buffer[..<count])
        }
        return contents
    }

    /// Creates `directory` with mode 0700 when it does not exist, and its
    /// missing parents with the same mode. An existing `directory` must pass
    /// ``checkDirectory(_:warn:)``; its parents are not checked.
    static func ensureDirectory(_ directory: String, warn: (String) -> Void) throws {
        if try checkDirectory(directory, warn: warn) {
            return
        }
        try createDirectory(directory)
    }

    private static func createDirectory(_ directory: String) throws {
        var info = stat()
        if lstat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw StorageError.unsafePath(path: directory, detail: "it is not a directory",
                                              fix: "Move it away so that claude-gate can create the directory")
            }
            return
        }
        let parent = parentDirectory(of: directory)
        if parent != directory {
            try createDirectory(parent)
        }
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw StorageError.fileSystem(path: directory, operation: "creating the directory", errno: errno)
        }
    }

    /// Replaces the file at `path` with `contents` so that a crash at any
    /// moment leaves either the old or the new file.
    ///
    /// A temporary file created 0600 with O_EXCL and O_NOFOLLOW is written and
    /// fsynced, then renamed over `path`. The directory is fsynced last, so
    /// that the rename survives a power loss.
    static func writeAtomically(_ contents: [UInt8], to path: String, warn: (String) -> Void) throws {
        let directory = parentDirectory(of: path)
        try ensureDirectory(directory, warn: warn)

        var suffix = [UInt8](repeating: 0, count: 8)
        fillRandom(&suffix)
        let temporaryPath = directory + "/" + temporaryNamePrefix(for: path) + "\(getpid())-"
            + suffix.map { String($0, radix: 16) }.joined()

        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StorageError.fileSystem(path: temporaryPath, operation: "creating", errno: errno)
        }
        var renamed = false
        defer {
            if !renamed { unlink(temporaryPath) }
        }

        do {
            try writeAll(contents, to: descriptor, path: temporaryPath)
            guard fsync(descriptor) == 0 else {
                throw StorageError.fileSystem(path: temporaryPath, operation: "syncing", errno: errno)
            }
        } catch {
            close(descriptor)
            throw error
        }
        close(descriptor)

        guard rename(temporaryPath, path) == 0 else {
            throw StorageError.fileSystem(path: path, operation: "renaming \(temporaryPath) to", errno: errno)
        }
        renamed = true
        try syncDirectory(directory)
    }

    /// Removes the temporary files that ``writeAtomically(_:to:warn:)`` left
    /// next to `path` when a process died before its rename. Call it only
    /// while holding the lock of ``withExclusiveLock(onDirectory:warn:_:)``, because
    /// every writer holds that lock while its temporary file exists.
    /// Returns the number removed.
    @discardableResult
    static func removeStaleTemporaryFiles(for path: String) -> Int {
        let directory = parentDirectory(of: path)
        let prefix = temporaryNamePrefix(for: path)
        var removed = 0
        for name in entryNames(in: directory) ?? [] where name.hasPrefix(prefix) {
            if unlink(directory + "/" + name) == 0 {
                removed += 1
            }
        }
        return removed
    }

    /// Returns the names of the entries in `directory`, sorted, or nil when
    /// the directory cannot be opened; errno then gives the reason.
    ///
    /// Wraps `opendir` and `readdir`.
    static func entryNames(in directory: String) -> [String]? {
        guard let stream = opendir(directory) else { return nil }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { buffer in
                String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." {
                names.append(name)
            }
        }
        return names.sorted()
    }

    private static func temporaryNamePrefix(for path: String) -> String {
        ".\(baseName(of: path)).tmp-"
    }

    /// Removes the file at `path`; returns false when it did not exist.
    static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 {
            try syncDirectory(parentDirectory(of: path))
            return true
        }
        if errno == ENOENT { return false }
        throw StorageError.fileSystem(path: path, operation: "removing", errno: errno)
    }

    /// Runs `body` while holding an exclusive flock(2) on `directory`, so
    /// that concurrent read-modify-write cycles of several processes do not
    /// lose updates. Locking the directory itself leaves no lock file behind.
    static func withExclusiveLock<T>(onDirectory directory: String, warn: (String) -> Void,
                                     _ body: () throws -> T) throws -> T {
        try ensureDirectory(directory, warn: warn)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StorageError.fileSystem(path: directory, operation: "opening the directory to lock it", errno: errno)
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR {
                throw StorageError.fileSystem(path: directory, operation: "locking", errno: errno)
            }
        }
        return try body()
    }

    private static func writeAll(_ contents: [UInt8], to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < contents.count {
            let written = contents[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw StorageError.fileSystem(path: path, operation: "writing", errno: errno)
            }
            offset += written
        }
    }

    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StorageError.fileSystem(path: directory, operation: "opening the directory", errno: errno)
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw StorageError.fileSystem(path: directory, operation: "syncing the directory", errno: errno)
        }
    }

    /// Fills `bytes` from the system generator (getrandom(2)) rather than
    /// from libcrypto, so that reading and writing a plain file does not load
    /// libcrypto. The name only has to be unlikely to collide; O_EXCL catches
    /// the rest.
    private static func fillRandom(_ bytes: inout [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
    }
}

/// Returns the directory part of a path, as dirname(1) does.
func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

/// Returns the last component of a path.
func baseName(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}
