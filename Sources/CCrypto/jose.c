#include "ccrypto_jose.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

int ccrypto_pbkdf2_hmac_sha256(const uint8_t *password, size_t password_length,
                               const uint8_t *salt, size_t salt_length,
                               uint32_t iterations,
                               uint8_t *out, size_t out_length) {
    /* PKCS5_PBKDF2_HMAC takes int lengths and counts; an empty password is
     * passed as a valid pointer because OpenSSL rejects NULL with length 0
     * in some versions. */
    static const uint8_t empty[1] = {0};

    if (iterations == 0 || iterations > INT_MAX || password_length > INT_MAX
        || salt_length > INT_MAX || out_length == 0 || out_length > INT_MAX) {
        return 0;
    }
    return PKCS5_PBKDF2_HMAC((const char *)(password_length > 0 ? password : empty), (int)password_length,
                             salt_length > 0 ? salt : empty, (int)salt_length,
                             (int)iterations, EVP_sha256(), (int)out_length, out) == 1;
}

static const EVP_CIPHER *aes_wrap_for_key_length(size_t kek_length) {
    switch (kek_length) {
    case 16: return EVP_aes_128_wrap();
    case 24: return EVP_aes_192_wrap();
    case 32: return EVP_aes_256_wrap();
    default: return NULL;
    }
}

static int aes_wrap(int encrypt, const uint8_t *kek, size_t kek_length,
                    const uint8_t *in, size_t in_length, uint8_t *out, size_t *out_length) {
    const EVP_CIPHER *cipher = aes_wrap_for_key_length(kek_length);
    EVP_CIPHER_CTX *context = NULL;
    int written = 0;
    int final_written = 0;
    int ok = 0;

    /* RFC 3394 works on 64-bit blocks: at least two to wrap, three to unwrap. */
    size_t minimum = encrypt ? 16 : 24;
    if (cipher == NULL || in_length < minimum || in_length % 8 != 0 || in_length > 4096) {
        return 0;
    }
    context = EVP_CIPHER_CTX_new();
    if (context == NULL) {
        goto done;
    }
    /* OpenSSL refuses the wrap modes through EVP unless this flag is set,
     * because their output is longer than their input. */
    EVP_CIPHER_CTX_set_flags(context, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_CipherInit_ex(context, cipher, NULL, kek, NULL, encrypt) != 1) {
        goto done;
    }
    if (EVP_CipherUpdate(context, out, &written, in, (int)in_length) != 1 || written <= 0) {
        goto done;
    }
    if (EVP_CipherFinal_ex(context, out + written, &final_written) != 1) {
        goto done;
    }
    *out_length = (size_t)written + (size_t)final_written;
    ok = 1;

done:
    EVP_CIPHER_CTX_free(context);
    return ok;
}

int ccrypto_aes_key_wrap(const uint8_t *kek, size_t kek_length,
                         const uint8_t *key, size_t key_length,
                         uint8_t *out, size_t *out_length) {
    return aes_wrap(1, kek, kek_length, key, key_length, out, out_length);
}

int ccrypto_aes_key_unwrap(const uint8_t *kek, size_t kek_length,
                           const uint8_t *wrapped, size_t wrapped_length,
                           uint8_t *out, size_t *out_length) {
    int ok = aes_wrap(0, kek, kek_length, wrapped, wrapped_length, out, out_length);
    if (!ok && wrapped_length >= CCRYPTO_KEY_WRAP_OVERHEAD_BYTES && wrapped_length <= 4096) {
        OPENSSL_cleanse(out, wrapped_length - CCRYPTO_KEY_WRAP_OVERHEAD_BYTES);
    }
    return ok;
}

/* Runs AES-256-GCM in one direction. For decryption `tag` is the expected
 * tag; for encryption it receives the computed one. */
static int aes_256_gcm(int encrypt, const uint8_t key[32], const uint8_t iv[CCRYPTO_GCM_IV_BYTES],
                       const uint8_t *aad, size_t aad_length,
                       const uint8_t *in, size_t in_length,
                       uint8_t *out, uint8_t tag[CCRYPTO_GCM_TAG_BYTES]) {
    EVP_CIPHER_CTX *context = NULL;
    int written = 0;
    int final_written = 0;
    int ok = 0;

    if (aad_length > INT_MAX || in_length > INT_MAX - 16) {
        return 0;
    }
    context = EVP_CIPHER_CTX_new();
    if (context == NULL) {
        goto done;
    }
    /* The IV length is the GCM default of 12 bytes, so it is not set. */
    if (EVP_CipherInit_ex(context, EVP_aes_256_gcm(), NULL, key, iv, encrypt) != 1) {
        goto done;
    }
    if (aad_length > 0 && EVP_CipherUpdate(context, NULL, &written, aad, (int)aad_length) != 1) {
        goto done;
    }
    written = 0;
    if (in_length > 0 && EVP_CipherUpdate(context, out, &written, in, (int)in_length) != 1) {
        goto done;
    }
    if (!encrypt
        && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, CCRYPTO_GCM_TAG_BYTES, (void *)tag) != 1) {
        goto done;
    }
    /* For decryption this is where the tag is checked. */
    if (EVP_CipherFinal_ex(context, out + written, &final_written) != 1) {
        goto done;
    }
    if (encrypt && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, CCRYPTO_GCM_TAG_BYTES, tag) != 1) {
        goto done;
    }
    ok = (size_t)written + (size_t)final_written == in_length;

done:
    EVP_CIPHER_CTX_free(context);
    if (!ok && !encrypt && in_length > 0) {
        OPENSSL_cleanse(out, in_length);
    }
    return ok;
}

int ccrypto_aes_256_gcm_encrypt(const uint8_t key[32], const uint8_t iv[CCRYPTO_GCM_IV_BYTES],
                                const uint8_t *aad, size_t aad_length,
                                const uint8_t *in, size_t in_length,
                                uint8_t *out, uint8_t tag[CCRYPTO_GCM_TAG_BYTES]) {
    return aes_256_gcm(1, key, iv, aad, aad_length, in, in_length, out, tag);
}

int ccrypto_aes_256_gcm_decrypt(const uint8_t key[32], const uint8_t iv[CCRYPTO_GCM_IV_BYTES],
                                const uint8_t *aad, size_t aad_length,
                                const uint8_t *in, size_t in_length,
                                const uint8_t tag[CCRYPTO_GCM_TAG_BYTES],
                                uint8_t *out) {
    return aes_256_gcm(0, key, iv, aad, aad_length, in, in_length, out, (uint8_t *)tag);
}
