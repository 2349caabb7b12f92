#if canImport(Glibc)
import Glibc
#endif

/// Diagnostic lines on standard error. Warnings are always written; debug
/// lines only when enabled (`--verbose` or `CLAUDE_GATE_DEBUG=1`). No caller
/// passes a secret to either.
public final class Log: @unchecked Sendable {
    public var debugEnabled: Bool

    public init(debugEnabled: Bool) {
        self.debugEnabled = debugEnabled
    }

    public func debug(_ message: @autoclosure () -> String) {
        guard debugEnabled else { return }
        fputs("claude-gate: debug: \(message())\n", stderr)
    }

    /// Writes a line that reports something claude-gate did on its own,
    /// such as an automatic migration.
    public func notice(_ message: String) {
        fputs("claude-gate: \(message)\n", stderr)
    }

    public func warning(_ message: String) {
        fputs("claude-gate: warning: \(message)\n", stderr)
    }
}
