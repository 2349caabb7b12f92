// Measures in-process throughput of the storage library against the Secret
// Service that DBUS_SESSION_BUS_ADDRESS names: N writes, then N reads, of
// distinct providers on one connection. Prints one JSON object on stdout.
// bench/run_bench.py runs it next to the same work done by Python
// secretstorage; it is not part of the test suite.

import ClaudeGateStorage
import SecretService

#if canImport(Glibc)
import Glibc
#endif

func environmentDictionary() -> [String: String] {
    var result: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {
        let text = String(cString: pointer)
        if let equals = text.firstIndex(of: "=") {
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        entry += 1
    }
    return result
}

func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

let arguments = CommandLine.arguments
let operations = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let serviceName = arguments.count > 2 ? arguments[2] : "claude-gate-bench-inprocess"

let store = KeyringStore(
    serviceName: serviceName, environment: environmentDictionary(),
    options: SecretServiceOptions(methodTimeout: 25, promptTimeout: 5))

do {
    let writeStart = seconds()
    for index in 0..<operations {
        try store.write(.apiKey("bench-key-\(index)"), provider: "provider-\(index)")
    }
    let writeSeconds = seconds() - writeStart

    let readStart = seconds()
    for index in 0..<operations {
        guard try store.read(provider: "provider-\(index)")?.apiKey == "bench-key-\(index)" else {
            fputs("claude-gate-bench: provider-\(index) read back a different value\n", stderr)
            exit(1)
        }
    }
    let readSeconds = seconds() - readStart

    for index in 0..<operations {
        try store.delete(provider: "provider-\(index)")
    }
    print("{\"operations\": \(operations), \"write_seconds\": \(writeSeconds), \"read_seconds\": \(readSeconds)}")
} catch {
    fputs("claude-gate-bench: \(error)\n", stderr)
    exit(1)
}
