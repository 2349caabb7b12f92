#include "lazy_library.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/opensslv.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rand.h>

/* claude-gate does not link libcrypto: it opens the library with dlopen(3)
 * when the first OpenSSL function is called, so that commands that need no
 * cryptography do not pay for loading it (see lazy_library.h). */

#define CCRYPTO_STRINGIFY_VALUE(value) #value
#define CCRYPTO_STRINGIFY(value) CCRYPTO_STRINGIFY_VALUE(value)

/* OPENSSL_SHLIB_VERSION is the number in the soname of the OpenSSL the
 * headers belong to: 3 for every 3.x release. */
static lazy_library libcrypto = {
    .soname = "libcrypto.so." CCRYPTO_STRINGIFY(OPENSSL_SHLIB_VERSION),
    .install_hint = "install OpenSSL's libcrypto, which Debian and Ubuntu ship as libssl3 or libssl3t64",
    .handle = NULL,
};

/* Each forwarding function must match a declaration in the library's
 * headers, because a definition without one is not checked against them. */
#pragma GCC diagnostic error "-Wmissing-prototypes"

#define LAZY_FUNCTION(return_type, name, parameters, arguments) \
    LAZY_LIBRARY_FUNCTION(libcrypto, return_type, name, parameters, arguments)
#define LAZY_VOID_FUNCTION(name, parameters, arguments) \
    LAZY_LIBRARY_VOID_FUNCTION(libcrypto, name, parameters, arguments)
#include "libcrypto_functions.h"
