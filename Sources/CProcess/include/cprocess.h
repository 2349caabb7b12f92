#ifndef CLAUDE_GATE_CPROCESS_H
#define CLAUDE_GATE_CPROCESS_H

/* Process-wide settings that Swift cannot make safely by itself. Signal
 * handlers must only store to a volatile sig_atomic_t, which Swift globals
 * do not guarantee. Swift's Glibc module (Swift 6.3.1) does not include
 * <sys/prctl.h>, and prctl(2) is variadic, which Swift does not import. */

/* Installs handlers for SIGINT, SIGTERM and SIGHUP that only record the
 * signal. SA_RESTART is not set, so a blocking read(2) on a terminal returns
 * EINTR and the caller can stop. Returns 0 on success, -1 with errno set. */
int cprocess_install_interrupt_handlers(void);

/* Returns the number of the first interrupting signal received, or 0. */
int cprocess_interrupt_signal(void);

/* Sets the soft RLIMIT_CORE to 0 and marks the process not dumpable
 * (PR_SET_DUMPABLE 0). A crash then writes no core file. Processes of the
 * same user without CAP_SYS_PTRACE can neither ptrace this process nor read
 * its /proc/PID/mem or /proc/PID/environ.
 *
 * The hard limit is left as it is, so that a command started by `exec` may
 * raise its own soft limit again.
 *
 * Returns 0 on success, else the errno of the first call that failed. */
int cprocess_disable_core_dumps(void);

#endif
