import ClaudeGateFuzzing

#if FUZZING
/// Passes one libFuzzer input to the fuzz target's body. libFuzzer provides
/// main() in a build with -sanitize=fuzzer, so this file defines none there.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    DBusMessageFuzzing.testOneInput(bytes)
    return 0
}
#else
/// Without libFuzzer, replays the files and directories given as arguments
/// through the same function, for reproducing a crash input.
@main
enum ReplayCommand {
    static func main() {
        CorpusReplay.main(testOneInput: DBusMessageFuzzing.testOneInput)
    }
}
#endif
