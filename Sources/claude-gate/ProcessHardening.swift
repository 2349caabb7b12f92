import ClaudeGateCLI
import CProcess

#if canImport(Glibc)
import Glibc
#endif

/// Disables core files and makes the process non-dumpable, before anything
/// reads a secret. A crash then leaves no core file with a secret in it, and
/// other processes of the same user without CAP_SYS_PTRACE can neither attach
/// a debugger nor read /proc/PID/mem or /proc/PID/environ.
///
/// `exec` keeps the core file limit of 0 across execve(2), but the kernel
/// makes the new program dumpable again, because it is not setuid. Protecting
/// the command's memory and environment is then up to the command.
///
/// A failure is reported as a warning and does not stop the command,
/// because these calls only lower privileges and the command works without them.
func disableCoreDumps() {
    let code = cprocess_disable_core_dumps()
    if code != 0 {
        fputs("claude-gate: warning: could not disable core dumps: \(String(cString: strerror(code)))\n", stderr)
    }
}
