#ifndef CLAUDE_GATE_CDBUS_LOADER_H
#define CLAUDE_GATE_CDBUS_LOADER_H

#include <stddef.h>

/* claude-gate does not link libdbus-1: it opens the library with dlopen(3)
 * when the first D-Bus function is called, so that commands that never use
 * D-Bus do not pay for loading it (see lazy_library.h). */

/* Opens libdbus-1 now, so that a missing library becomes an error the caller
 * can handle instead of an exit in the middle of a call. Returns 1, or 0
 * after writing a message that names the library and the package to install
 * into `message`. */
int cdbus_library_open(char *message, size_t message_size);

#endif
