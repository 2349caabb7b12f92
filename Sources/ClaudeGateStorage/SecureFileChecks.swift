#if canImport(Glibc)
import Glibc
#endif

/// Ownership and permission checks for `auth.json` and its directory, run
/// before the file is read or replaced.
///
/// The rules:
/// - Neither the file nor the directory may be a symbolic link.
/// - The file must be a regular file owned by the effective user.
/// - The directory must be owned by that user or by root. Other users may
///   not write to it unless its sticky bit is set (as on /tmp), because
///   whoever can write to the directory can replace the file.
/// - A file that group or others can access is tightened to 0600, and the
///   claude-gate directory to 0700, with a warning. Other directories are
///   never changed, since `CLAUDE_GATE_AUTH_STORAGE_PATH` may point into the
///   home directory.
extension SecureFile {
    /// Checks the directory at `directory`; returns false when it does not
    /// exist.
    static func checkDirectory(_ directory: String, warn: (String) -> Void) throws -> Bool {
        var info = stat()
        guard lstat(directory, &info) == 0 else {
            if errno == ENOENT { return false }
            throw StorageError.fileSystem(path: directory, operation: "inspecting the directory", errno: errno)
        }
        if (info.st_mode & S_IFMT) == S_IFLNK {
            throw StorageError.unsafePath(path: directory, detail: "the directory is a symbolic link",
                                          fix: "Replace the link with a real directory, or set CLAUDE_GATE_AUTH_STORAGE_PATH to a path without links")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw StorageError.unsafePath(path: directory, detail: "it is not a directory",
                                          fix: "Move it away so that claude-gate can create the directory")
        }
        let user = geteuid()
        guard info.st_uid == user || info.st_uid == 0 else {
            throw StorageError.unsafePath(
                path: directory, detail: "the directory is owned by user id \(info.st_uid), not by you (user id \(user))",
                fix: "Run 'sudo chown \(user) \(directory)', or set CLAUDE_GATE_AUTH_STORAGE_PATH to a directory you own")
        }

        let permissions = info.st_mode & 0o7777
        if baseName(of: directory) == StorageConfiguration.directoryName && info.st_uid == user && permissions & 0o077 != 0 {
            guard chmod(directory, 0o700) == 0 else {
                throw StorageError.fileSystem(path: directory, operation: "changing the mode to 0700 of", errno: errno)
            }
            warn("changed the mode of \(directory) from \(octal(permissions)) to 0700 because it contains credentials")
            return true
        }
        if permissions & 0o022 != 0 && permissions & S_ISVTX == 0 {
            throw StorageError.unsafePath(
                path: directory, detail: "other users can write to the directory (mode \(octal(permissions)))",
                fix: "Run 'chmod go-w \(directory)', or set CLAUDE_GATE_AUTH_STORAGE_PATH to a private directory")
        }
        return true
    }

    /// Checks the open file `descriptor` at `path`, described by `info`.
    static func checkFile(_ descriptor: Int32, path: String, info: stat, warn: (String) -> Void) throws {
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw StorageError.unsafePath(path: path, detail: "it is not a regular file",
                                          fix: "Move it away so that claude-gate can create the file")
        }
        let user = geteuid()
        guard info.st_uid == user else {
            throw StorageError.unsafePath(
                path: path, detail: "the file is owned by user id \(info.st_uid), not by you (user id \(user))",
                fix: "Check who put it there; if it is yours, run 'sudo chown \(user) \(path)'")
        }
        let permissions = info.st_mode & 0o7777
        if permissions & 0o077 != 0 {
            guard fchmod(descriptor, 0o600) == 0 else {
                throw StorageError.fileSystem(path: path, operation: "changing the mode to 0600 of", errno: errno)
            }
            warn("changed the mode of \(path) from \(octal(permissions)) to 0600 because it contains credentials")
        }
    }

    private static func octal(_ permissions: mode_t) -> String {
        let digits = String(permissions, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
