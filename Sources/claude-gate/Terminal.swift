import ClaudeGateCLI
import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// Standard input and output, and the terminal when there is one.
enum Terminal {
    static var standardInputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Reads all of standard input as bytes.
    static func readStandardInput() throws -> [UInt8] {
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandFailure(message: "reading standard input failed: \(String(cString: strerror(errno)))",
                                     exitCode: .failure)
            }
            if count == 0 { break }
            contents.append(contentsOf: buffer[..<count])
        }
        clearSecret(&buffer)
        return contents
    }

    /// Shows `prompt` on stderr and reads one line from the terminal with
    /// echo turned off, so that the secret is not shown or kept in the
    /// terminal's scrollback.
    static func readHiddenLine(prompt: String) throws -> [UInt8] {
        fputs(prompt, stderr)
        var saved = termios()
        let haveAttributes = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveAttributes {
            var hidden = saved
            hidden.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden)
        }
        defer {
            if haveAttributes { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
            fputs("\n", stderr)
        }

        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 || byte == 0x0a { break }
            line.append(byte)
        }
        if line.last == 0x0d { line.removeLast() }
        return line
    }

    static func printLine(_ text: String) {
        fputs(text + "\n", stdout)
    }

    static func printError(_ text: String) {
        fputs("claude-gate: \(text)\n", stderr)
    }
}
