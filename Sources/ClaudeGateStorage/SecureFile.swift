import CCrypto

#if canImport(Glibc)
import Glibc
#endif

/// File operations for files that hold secrets: no symlinks followed, files
/// created 0600 in 0700 directories, and writes that a crash cannot tear.
enum SecureFile {
    /// Reads a whole file, or returns nil when it does not exist.
    ///
    /// The file is opened with O_NOFOLLOW, so a symlink at `path` fails with
    /// ELOOP instead of being followed.
    static func read(_ path: String) throws -> [UInt8]? {
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
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw StorageError.unsafePath(path: path, detail: "it is not a regular file",
                                          fix: "Move it away so that claude-gate can create the file")
        }

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
    /// missing parents with the same mode.
    static func ensureDirectory(_ directory: String) throws {
        var info = stat()
        if lstat(directory, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFLNK {
                throw StorageError.unsafePath(path: directory, detail: "the directory is a symbolic link",
                                              fix: "Replace the link with a real directory")
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                throw StorageError.unsafePath(path: directory, detail: "it is not a directory",
                                              fix: "Move it away so that claude-gate can create the directory")
            }
            return
        }
        let parent = parentDirectory(of: directory)
        if parent != directory {
            try ensureDirectory(parent)
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
    static func writeAtomically(_ contents: [UInt8], to path: String) throws {
        let directory = parentDirectory(of: path)
        try ensureDirectory(directory)

        var suffix = [UInt8](repeating: 0, count: 8)
        fillRandom(&suffix)
        let temporaryPath = directory + "/.\(baseName(of: path)).tmp-\(getpid())-" + suffix.map { String($0, radix: 16) }.joined()

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
    static func withExclusiveLock<T>(onDirectory directory: String, _ body: () throws -> T) throws -> T {
        try ensureDirectory(directory)
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

    private static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StorageError.fileSystem(path: directory, operation: "opening the directory", errno: errno)
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw StorageError.fileSystem(path: directory, operation: "syncing the directory", errno: errno)
        }
    }

    private static func fillRandom(_ bytes: inout [UInt8]) {
        if ccrypto_random_bytes(&bytes, bytes.count) != 1 {
            // The name only has to be unlikely to collide; O_EXCL catches the rest.
            for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        }
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
