// Fuzzing entry for the parsers of auth.json: format detection, the plain
// JSON document and the password-encrypted JWE.
//
// Built with -DFUZZING and -sanitize=fuzzer (see scripts/fuzz.sh), libFuzzer
// supplies main and calls LLVMFuzzerTestOneInput. Built normally, the
// program replays the files named on the command line through the same
// function, or writes seed inputs with --write-seeds DIRECTORY.

import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// The password every fuzz input is decrypted with; the seeds use it too,
/// so that mutations of a seed reach the AES-GCM and JSON stages.
let fuzzPassword = Array("fuzz-password".utf8)

/// A low `p2c` cap keeps each input fast. Inputs with a larger `p2c` still
/// exercise the cap check, which runs before key derivation.
let fuzzMaximumIterations = 64

func runParsers(_ bytes: [UInt8]) {
    switch AuthFileFormat(detecting: bytes) {
    case .plainJSON:
        if let document = try? AuthDocument(parsing: bytes) {
            for provider in document.providers {
                _ = try? document.credential(for: provider)
            }
            _ = try? document.serialized()
        }
    case .encryptedJWE:
        guard (try? PasswordJWEMessage(parsing: bytes, maximumIterations: fuzzMaximumIterations)) != nil else { return }
        if let plaintext = try? PasswordJWE.decrypt(bytes, password: fuzzPassword, maximumIterations: fuzzMaximumIterations) {
            _ = try? AuthDocument(parsing: plaintext)
        }
    }
}

#if FUZZING

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    runParsers(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#else

@main
struct FuzzReplay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--write-seeds", arguments.count == 2 {
            try writeSeeds(to: arguments[1])
            return
        }
        guard !arguments.isEmpty else {
            fputs("usage: claude-gate-fuzz FILE... | --write-seeds DIRECTORY\n", stderr)
            exit(2)
        }
        for path in arguments {
            guard let bytes = readFile(path) else {
                fputs("claude-gate-fuzz: cannot read \(path): \(String(cString: strerror(errno)))\n", stderr)
                exit(1)
            }
            runParsers(bytes)
            print("replayed \(path) (\(bytes.count) bytes)")
        }
    }

    static func writeSeeds(to directory: String) throws {
        let plain = Array(#"{"anthropic":{"type":"oauth","access":"a","refresh":"r","expires":1},"x":{"type":"api","key":"k","extra":[1,2.5,null,true]}}"#.utf8)
        let seeds: [(String, [UInt8])] = [
            ("plain.json", plain),
            ("empty-object.json", Array("{}".utf8)),
            ("encrypted.jwe", try PasswordJWE.encrypt(plain, password: fuzzPassword, iterations: 8)),
            ("encrypted-empty.jwe", try PasswordJWE.encrypt(Array("{}".utf8), password: fuzzPassword, iterations: 1)),
        ]
        for (name, bytes) in seeds {
            let path = directory + "/" + name
            guard let file = fopen(path, "wb"), fwrite(bytes, 1, bytes.count, file) == bytes.count, fclose(file) == 0 else {
                fputs("claude-gate-fuzz: cannot write \(path): \(String(cString: strerror(errno)))\n", stderr)
                exit(1)
            }
        }
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes
    }
}

#endif
