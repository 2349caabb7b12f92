/* A stand-in for the claude-gate binary's dlopen calls, for dpkg-shlibdeps.
 *
 * claude-gate opens libdbus-1 and libcrypto with dlopen on first use, so
 * neither is in its DT_NEEDED list and dpkg-shlibdeps, which reads that list,
 * would leave both out of the package's Depends. scripts/build-deb.sh links
 * this program against both libraries. It takes the address of every function
 * in the same lists the binary's forwarding functions are defined from, so
 * dpkg-shlibdeps finds the libraries and the symbols the binary resolves at
 * run time, and computes their packages and minimum versions. */
#include <dbus/dbus.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define LAZY_FUNCTION(return_type, name, parameters, arguments) (void (*)(void))name,
#define LAZY_VOID_FUNCTION(name, parameters, arguments) (void (*)(void))name,

/* `used` keeps the array, and so the references, at every optimization level. */
__attribute__((used)) static void (*const resolved_at_run_time[])(void) = {
#include "libdbus_functions.h"
#include "libcrypto_functions.h"
};

int main(void) {
    return 0;
}
