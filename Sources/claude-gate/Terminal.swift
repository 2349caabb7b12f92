import CProcess
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
                if errno == EINTR {
                    try stopIfInterrupted()
                    continue
                }
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
    /// Throws the interrupted failure once SIGINT, SIGTERM or SIGHUP has
    /// arrived. The handlers do not restart read(2), so a read waiting on the
    /// terminal returns EINTR and reaches this check.
    static func stopIfInterrupted() throws {
        if cprocess_interrupt_signal() != 0 {
            throw CommandFailure(message: "interrupted", exitCode: .interrupted)
        }
    }

    static func readHiddenLine(prompt: String) throws -> [UInt8] {
        // Echo is turned off before the prompt appears, and with TCSANOW
        // rather than TCSAFLUSH, so that input typed or pasted as soon as the
        // prompt shows is neither echoed nor discarded.
        var saved = termios()
        let haveAttributes = tcgetattr(STDIN_FILENO, &saved) == 0
        if haveAttributes {
            var hidden = saved
            hidden.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &hidden)
        }
        defer {
            if haveAttributes { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
            fputs("\n", stderr)
        }
        fputs(prompt, stderr)

        var line = try readLine()
        if line.last == 0x0d { line.removeLast() }
        return line
    }

    /// Reads standard input byte by byte up to a newline or the end of input,
    /// so that nothing after the line is consumed, and returns the line
    /// without the newline.
    private static func readLine() throws -> [UInt8] {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(STDIN_FILENO, &byte, 1)
            if count < 0 && errno == EINTR {
                try stopIfInterrupted()
                continue
            }
            if count <= 0 || byte == 0x0a { break }
            line.append(byte)
        }
        return line
    }

    /// Shows `question` on stderr and returns whether the line read from
    /// standard input starts with "y" or "Y". Anything else, or the end of
    /// input, counts as no.
    static func askYesNo(_ question: String) throws -> Bool {
        fputs("\(question) [y/N] ", stderr)
        let first = try readLine().first
        return first == UInt8(ascii: "y") || first == UInt8(ascii: "Y")
    }

    static func printLine(_ text: String) {
        fputs(text + "\n", stdout)
    }

    static func printError(_ text: String) {
        fputs("claude-gate: \(text)\n", stderr)
    }
}
