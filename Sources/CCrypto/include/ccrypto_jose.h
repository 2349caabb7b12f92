#ifndef CLAUDE_GATE_CCRYPTO_JOSE_H
#define CLAUDE_GATE_CCRYPTO_JOSE_H

/* The primitives of a JWE with "alg": "PBES2-HS256+A128KW" and
 * "enc": "A256GCM" (RFC 7518 sections 4.8, 4.4 and 5.3), over libcrypto.
 * The JOSE layout itself (headers, Base64url, the salt input) is in Swift.
 *
 * Every function returns 1 on success and 0 on failure, and keeps no
 * pointer to its arguments. On failure no output byte is meaningful. */

#include <stddef.h>
#include <stdint.h>

/* Length of an AES-GCM initialization vector and tag, in bytes. */
#define CCRYPTO_GCM_IV_BYTES 12
#define CCRYPTO_GCM_TAG_BYTES 16

/* Length that AES key wrap adds to the wrapped key (the RFC 3394 integrity
 * check value), in bytes. */
#define CCRYPTO_KEY_WRAP_OVERHEAD_BYTES 8

/* PBKDF2 (RFC 8018) with HMAC-SHA256. `iterations` must be at least 1; the
 * caller bounds it, because the time taken grows linearly with it. */
int ccrypto_pbkdf2_hmac_sha256(const uint8_t *password, size_t password_length,
                               const uint8_t *salt, size_t salt_length,
                               uint32_t iterations,
                               uint8_t *out, size_t out_length);

/* AES key wrap (RFC 3394) with the default initial value. The key
 * encryption key is 16, 24 or 32 bytes; the key to wrap is a multiple of 8
 * bytes and at least 16. `out` must have room for `key_length + 8` bytes and
 * `*out_length` receives the number written. */
int ccrypto_aes_key_wrap(const uint8_t *kek, size_t kek_length,
                         const uint8_t *key, size_t key_length,
                         uint8_t *out, size_t *out_length);

/* Reverses ccrypto_aes_key_wrap. Returns 0 when the integrity check fails,
 * which for PBES2 almost always means a wrong password. `out` must have
 * room for `wrapped_length` bytes; `*out_length` receives
 * `wrapped_length - 8`. */
int ccrypto_aes_key_unwrap(const uint8_t *kek, size_t kek_length,
                           const uint8_t *wrapped, size_t wrapped_length,
                           uint8_t *out, size_t *out_length);

/* AES-256-GCM with a 12-byte IV and a 16-byte tag. `out` must have room for
 * `in_length` bytes. Empty plaintext and empty additional data are allowed. */
int ccrypto_aes_256_gcm_encrypt(const uint8_t key[32], const uint8_t iv[CCRYPTO_GCM_IV_BYTES],
                                const uint8_t *aad, size_t aad_length,
                                const uint8_t *in, size_t in_length,
                                uint8_t *out, uint8_t tag[CCRYPTO_GCM_TAG_BYTES]);

/* Decrypts and verifies AES-256-GCM. Returns 0 and clears `out` when the tag
 * does not match. That happens when the key is wrong, or when the
 * ciphertext, IV, tag or additional data were altered. */
int ccrypto_aes_256_gcm_decrypt(const uint8_t key[32], const uint8_t iv[CCRYPTO_GCM_IV_BYTES],
                                const uint8_t *aad, size_t aad_length,
                                const uint8_t *in, size_t in_length,
                                const uint8_t tag[CCRYPTO_GCM_TAG_BYTES],
                                uint8_t *out);

#endif
