// A child process for the file store's crash and concurrency tests. It
// writes through FileStore exactly as the CLI does, so that a test can kill
// it at any moment or run several at once.
//
//   claude-gate-test-writer distinct PATH PREFIX COUNT
//       writes API key credentials for providers PREFIX-0 … PREFIX-(COUNT-1)
//   claude-gate-test-writer counter PATH PROVIDER
//       rewrites PROVIDER forever, each time with the access token
//       "token-N" where N is one more than the value found in the file
//
// The master password, if any, comes from CLAUDE_GATE_MASTER_PASSWORD and
// the iteration count from CLAUDE_GATE_FILE_KDF_ITERATIONS, never from argv.

import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    fputs("claude-gate-test-writer: \(message)\n", stderr)
    exit(2)
}

func environmentValue(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let string = String(cString: value)
    return string.isEmpty ? nil : string
}

func makeStore(path: String) -> FileStore {
    let password = environmentValue("CLAUDE_GATE_MASTER_PASSWORD").map { MasterPassword(Array($0.utf8)) }
    let iterations = environmentValue("CLAUDE_GATE_FILE_KDF_ITERATIONS").flatMap(Int.init) ?? PasswordJWE.defaultIterations
    return FileStore(path: path,
                     passwordProvider: FileStore.passwordProvider(masterPassword: password, prompt: nil),
                     kdfIterations: iterations)
}

func counterValue(_ credential: Credential?) -> Int {
    guard let token = credential?.accessToken, token.hasPrefix("token-") else { return 0 }
    return Int(token.dropFirst("token-".count)) ?? 0
}

let arguments = CommandLine.arguments
guard arguments.count >= 4 else {
    fail("usage: claude-gate-test-writer distinct PATH PREFIX COUNT | counter PATH PROVIDER")
}
let store = makeStore(path: arguments[2])

do {
    switch arguments[1] {
    case "distinct":
        guard arguments.count == 5, let count = Int(arguments[4]), count >= 0 else {
            fail("distinct needs PATH PREFIX COUNT, with COUNT a whole number")
        }
        for index in 0..<count {
            try store.write(.apiKey("key-\(arguments[3])-\(index)"), provider: "\(arguments[3])-\(index)")
        }
    case "counter":
        let provider = arguments[3]
        while true {
            // The read and the write are separate lock holds on purpose: the
            // value only has to grow, and only this process writes it.
            let next = counterValue(try store.read(provider: provider)) + 1
            try store.write(.oauth(access: "token-\(next)", refresh: "refresh-\(next)", expiresAt: Int64(next)),
                            provider: provider)
        }
    default:
        fail("unknown mode '\(arguments[1])': expected distinct or counter")
    }
} catch {
    fail("\(error)")
}
