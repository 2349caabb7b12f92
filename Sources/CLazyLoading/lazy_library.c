/* For program_invocation_short_name. */
#define _GNU_SOURCE

#include "lazy_library.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* claude-gate's exit status for other failures. The dynamic loader's status
 * for a missing library, 127, means "command not found" for `claude-gate
 * exec`, so a script could not tell the two apart. */
#define MISSING_LIBRARY_EXIT_STATUS 1

int lazy_library_open(lazy_library *library, char *message, size_t message_size) {
    if (__atomic_load_n(&library->handle, __ATOMIC_ACQUIRE) != NULL) {
        return 1;
    }

    /* RTLD_NOW binds the library's own references here rather than in the
     * middle of a later call, and RTLD_LOCAL keeps its symbols out of the
     * scope that libraries loaded later resolve against. dlopen counts
     * references, so a second thread that gets here at the same time gets
     * the same handle; the library is never closed. */
    void *handle = dlopen(library->soname, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        if (message != NULL && message_size > 0) {
            const char *reason = dlerror();
            snprintf(message, message_size, "cannot load %s: %s; %s", library->soname,
                     reason != NULL ? reason : "unknown error", library->install_hint);
        }
        return 0;
    }
    __atomic_store_n(&library->handle, handle, __ATOMIC_RELEASE);
    return 1;
}

/* Writes `message` and `program_invocation_short_name` to stderr with one
 * write(2), so that the line is not interleaved with other output, and exits
 * without running atexit handlers that might call into the missing library. */
static void exit_for_missing_library(const char *message) {
    char line[1024];
    int length = snprintf(line, sizeof line, "%s: %s\n", program_invocation_short_name, message);
    if (length > 0) {
        size_t size = (size_t)length < sizeof line ? (size_t)length : sizeof line - 1;
        ssize_t ignored = write(STDERR_FILENO, line, size);
        (void)ignored;
    }
    _exit(MISSING_LIBRARY_EXIT_STATUS);
}

void *lazy_library_function(lazy_library *library, const char *name) {
    char message[768];
    if (!lazy_library_open(library, message, sizeof message)) {
        exit_for_missing_library(message);
    }

    /* dlsym on the library's own handle finds the library's definition, not
     * the forwarding one in this executable, so a call cannot loop. */
    void *function = dlsym(__atomic_load_n(&library->handle, __ATOMIC_ACQUIRE), name);
    if (function == NULL) {
        snprintf(message, sizeof message, "%s has no function %s; %s",
                 library->soname, name, library->install_hint);
        exit_for_missing_library(message);
    }
    return function;
}
