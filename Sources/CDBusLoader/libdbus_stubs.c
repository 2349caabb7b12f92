#include "cdbus_loader.h"

#include "lazy_library.h"

/* <dbus/dbus.h> declares every function with default visibility unless
 * DBUS_EXPORT is defined first, and a forwarding function must be hidden
 * (see LAZY_LIBRARY_FUNCTION). */
#define DBUS_EXPORT __attribute__((visibility("hidden")))
#include <dbus/dbus.h>

/* The soname of libdbus-1 (D-Bus 1.14 in Debian 12, as objdump -p shows).
 * The tests and scripts/test-deb.sh load the library by this name. */
static lazy_library libdbus = {
    .soname = "libdbus-1.so.3",
    .install_hint = "install libdbus-1, which Debian and Ubuntu ship as libdbus-1-3",
    .handle = NULL,
};

int cdbus_library_open(char *message, size_t message_size) {
    return lazy_library_open(&libdbus, message, message_size);
}

/* Each forwarding function must match a declaration in the library's
 * headers, because a definition without one is not checked against them. */
#pragma GCC diagnostic error "-Wmissing-prototypes"

#define LAZY_FUNCTION(return_type, name, parameters, arguments) \
    LAZY_LIBRARY_FUNCTION(libdbus, return_type, name, parameters, arguments)
#define LAZY_VOID_FUNCTION(name, parameters, arguments) \
    LAZY_LIBRARY_VOID_FUNCTION(libdbus, name, parameters, arguments)
#include "libdbus_functions.h"
