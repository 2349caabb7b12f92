#if canImport(Glibc)
import Glibc
#endif

/// Runs fuzz inputs from files outside libFuzzer: the replay mode of a fuzz
/// target built without `-sanitize=fuzzer`, for reproducing a crash input.
public enum CorpusReplay {
    /// Replays the files and directories named on the command line and
    /// exits: 0 when every input ran, 1 when one could not be read, and 2
    /// without arguments. A crashing input ends the process with its signal.
    public static func main(testOneInput: ([UInt8]) -> Void) -> Never {
        let paths = Array(CommandLine.arguments.dropFirst())
        guard !paths.isEmpty else {
            fputs("usage: \(CommandLine.arguments[0]) FILE_OR_DIRECTORY...\n", stderr)
            exit(2)
        }
        do {
            let count = try run(paths: paths, testOneInput: testOneInput)
            print("replayed \(count) inputs without a crash")
            exit(0)
        } catch {
            fputs("\(CommandLine.arguments[0]): \(error)\n", stderr)
            exit(1)
        }
    }

    /// Passes the contents of every file in `paths` to `testOneInput`.
    /// A directory contributes the regular files directly inside it.
    /// Returns the number of inputs run, or throws when a path cannot be read.
    public static func run(paths: [String], testOneInput: ([UInt8]) -> Void) throws -> Int {
        var count = 0
        for path in paths {
            for file in try inputFiles(at: path) {
                testOneInput(try readFile(file))
                count += 1
            }
        }
        return count
    }

    /// Returns `path` itself for a file, or the sorted regular files in a directory.
    public static func inputFiles(at path: String) throws -> [String] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw ReplayError(path: path, errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return [path] }

        guard let directory = opendir(path) else { throw ReplayError(path: path, errno: errno) }
        defer { closedir(directory) }
        var files: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            let file = path + "/" + name
            var fileInfo = stat()
            if !name.hasPrefix("."), stat(file, &fileInfo) == 0, (fileInfo.st_mode & S_IFMT) == S_IFREG {
                files.append(file)
            }
        }
        return files.sorted()
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ReplayError(path: path, errno: errno) }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ReplayError(path: path, errno: errno)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: buffer[..<count])
        }
    }
}

/// Reading a fuzz input failed.
public struct ReplayError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public var description: String {
        "cannot read the fuzz input \(path): \(String(cString: strerror(errno)))"
    }
}
