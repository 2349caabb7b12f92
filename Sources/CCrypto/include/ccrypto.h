#ifndef CLAUDE_GATE_CCRYPTO_H
#define CLAUDE_GATE_CCRYPTO_H

/* A narrow C interface over OpenSSL's libcrypto. The functions live in C
 * because OpenSSL 3's OSSL_PARAM arrays keep pointers to their key names:
 * building them from Swift strings leaves those pointers dangling after the
 * call, and key generation then fails without an error.
 *
 * Every function returns 1 on success and 0 on failure unless its comment
 * states otherwise. No function keeps a pointer to its arguments. */

#include <stddef.h>
#include <stdint.h>

/* The JOSE primitives live in their own header. Including it here changes
 * this header, so that SwiftPM rebuilds its clang module cache. An existing
 * cache does not notice a header that is only added to the umbrella
 * directory, and its functions then appear missing from Swift. */
#include "ccrypto_jose.h"

/* Size in bytes of a value modulo the RFC 2409 second Oakley group prime. */
#define CCRYPTO_DH_MODULUS_BYTES 128

/* Fills `buffer` from OpenSSL's CSPRNG (RAND_bytes). */
int ccrypto_random_bytes(uint8_t *buffer, size_t length);

/* Overwrites `length` bytes at `buffer` with zeros in a way the compiler
 * cannot elide (explicit_bzero). */
void ccrypto_cleanse(void *buffer, size_t length);

/* An opaque Diffie-Hellman key pair in the RFC 2409 second Oakley group
 * (1024-bit MODP, generator 2). */
typedef struct ccrypto_dh_key ccrypto_dh_key;

/* Generates a new key pair; returns NULL on failure. */
ccrypto_dh_key *ccrypto_dh_generate(void);

/* Frees a key pair; the private value is cleared by OpenSSL. */
void ccrypto_dh_free(ccrypto_dh_key *key);

/* Writes the public value as a 128-byte unsigned big-endian integer,
 * left-padded with zeros. */
int ccrypto_dh_public_key(const ccrypto_dh_key *key, uint8_t out[CCRYPTO_DH_MODULUS_BYTES]);

/* Derives the shared secret with a peer's public value given as an unsigned
 * big-endian integer of any length (servers send 127, 128 or 129 bytes).
 * The secret is written left-padded to 128 bytes. Returns 1 on success, 0
 * when the peer value is invalid (0, 1, p-1, >= p, or too long), -1 when
 * OpenSSL fails otherwise. */
int ccrypto_dh_shared_secret(const ccrypto_dh_key *key,
                             const uint8_t *peer_public, size_t peer_public_length,
                             uint8_t out[CCRYPTO_DH_MODULUS_BYTES]);

/* HKDF (RFC 5869) with SHA-256. Empty salt and info are allowed. */
int ccrypto_hkdf_sha256(const uint8_t *input_key, size_t input_key_length,
                        const uint8_t *salt, size_t salt_length,
                        const uint8_t *info, size_t info_length,
                        uint8_t *out, size_t out_length);

/* AES-CBC with PKCS#7 padding; the key is 16, 24 or 32 bytes and the IV 16.
 * `out` must have room for `in_length + 16` bytes; `*out_length` receives
 * the number written. Decryption returns 0 for a wrong key or bad padding. */
int ccrypto_aes_cbc_encrypt(const uint8_t *key, size_t key_length, const uint8_t iv[16],
                            const uint8_t *in, size_t in_length,
                            uint8_t *out, size_t *out_length);
int ccrypto_aes_cbc_decrypt(const uint8_t *key, size_t key_length, const uint8_t iv[16],
                            const uint8_t *in, size_t in_length,
                            uint8_t *out, size_t *out_length);

#endif
