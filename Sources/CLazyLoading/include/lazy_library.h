#ifndef CLAUDE_GATE_LAZY_LIBRARY_H
#define CLAUDE_GATE_LAZY_LIBRARY_H

#include <stddef.h>

/* A shared library that is opened with dlopen(3) when one of its functions
 * is first called, instead of by the dynamic loader before main. Mapping
 * libdbus-1 (with libsystemd, libgcrypt and the compression libraries it
 * pulls in) and libcrypto at start-up costs about 2 ms, which every
 * `claude-gate --version` and every file-backend command paid although
 * neither calls them.
 *
 * The executable defines each function it calls from such a library itself
 * (see LAZY_LIBRARY_FUNCTION below) and is linked without the library, so
 * the library has no DT_NEEDED entry. */
typedef struct lazy_library {
    /* The name passed to dlopen, such as "libdbus-1.so.3". */
    const char *soname;
    /* Install advice appended to error messages, naming the package. */
    const char *install_hint;
    /* The dlopen handle once the library is open, else NULL. It is set once
     * per process, and read and written with atomic builtins. */
    void *handle;
} lazy_library;

/* Opens the library unless it is open already. Returns 1, or 0 after writing
 * a message that names the library, the loader's reason and the install hint
 * into `message` (when it is not NULL). Safe to call from several threads. */
int lazy_library_open(lazy_library *library, char *message, size_t message_size);

/* Returns the address of the function `name`, opening the library first.
 * A library that cannot be opened or that lacks the function leaves the
 * program unable to go on, as a missing DT_NEEDED library would. So the
 * message goes to stderr and the process exits with status 1 before the
 * call, which leaves files and the keyring as they were. */
void *lazy_library_function(lazy_library *library, const char *name);

/* Defines `name` with the given return type, parameter list and argument
 * list as a function that resolves the library's own `name` on the first
 * call and forwards every call to it. `library` is a lazy_library variable.
 * The compiler checks the return and parameter types against the declaration
 * in the library's header, and LazyLibraryTests checks that the argument
 * list passes the parameters in order.
 *
 * The definition has hidden visibility. Swift executables are linked with
 * --export-dynamic, and an exported definition would interpose on the
 * library's calls to its own functions, so that libcrypto's PBKDF2 loop, for
 * one, would call OPENSSL_cleanse and CRYPTO_free through this forwarding
 * function (about 12% slower in a 600,000-iteration derivation).
 *
 * The resolved address is cached in a static pointer per function, read and
 * written with atomic builtins. Two threads that race on the first call both
 * store the same address. */
#define LAZY_LIBRARY_FUNCTION(library, return_type, name, parameters, arguments)        \
    __attribute__((visibility("hidden"))) return_type name parameters {               \
        static return_type (*resolved) parameters;                                    \
        return_type (*function) parameters =                                          \
            __atomic_load_n(&resolved, __ATOMIC_ACQUIRE);                             \
        if (function == NULL) {                                                       \
            function = (return_type (*) parameters)lazy_library_function(&(library), #name); \
            __atomic_store_n(&resolved, function, __ATOMIC_RELEASE);                  \
        }                                                                             \
        return function arguments;                                                    \
    }

/* The same for a function that returns void; C does not allow `return f();`
 * in a void function. */
#define LAZY_LIBRARY_VOID_FUNCTION(library, name, parameters, arguments)                \
    __attribute__((visibility("hidden"))) void name parameters {                      \
        static void (*resolved) parameters;                                           \
        void (*function) parameters = __atomic_load_n(&resolved, __ATOMIC_ACQUIRE);   \
        if (function == NULL) {                                                       \
            function = (void (*) parameters)lazy_library_function(&(library), #name); \
            __atomic_store_n(&resolved, function, __ATOMIC_RELEASE);                  \
        }                                                                             \
        function arguments;                                                           \
    }

#endif
