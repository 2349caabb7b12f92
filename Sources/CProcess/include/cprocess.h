#ifndef CLAUDE_GATE_CPROCESS_H
#define CLAUDE_GATE_CPROCESS_H

/* Process-wide settings that Swift cannot make safely by itself: signal
 * handlers must only store to a volatile sig_atomic_t, which Swift globals
 * do not guarantee. */

/* Installs handlers for SIGINT, SIGTERM and SIGHUP that only record the
 * signal. SA_RESTART is not set, so a blocking read(2) on a terminal returns
 * EINTR and the caller can stop. Returns 0 on success, -1 with errno set. */
int cprocess_install_interrupt_handlers(void);

/* Returns the number of the first interrupting signal received, or 0. */
int cprocess_interrupt_signal(void);

#endif
