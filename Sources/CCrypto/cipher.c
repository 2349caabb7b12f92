#include "ccrypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

int ccrypto_hkdf_sha256(const uint8_t *input_key, size_t input_key_length,
                        const uint8_t *salt, size_t salt_length,
                        const uint8_t *info, size_t info_length,
                        uint8_t *out, size_t out_length) {
    int ok = 0;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *context = kdf != NULL ? EVP_KDF_CTX_new(kdf) : NULL;
    static const uint8_t empty[1] = {0};
    OSSL_PARAM params[5];
    size_t count = 0;

    if (context == NULL) {
        goto done;
    }

    /* The names below are string literals in static storage, so the
     * OSSL_PARAM entries that point to them stay valid. */
    params[count++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
    params[count++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)input_key, input_key_length);
    params[count++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, (void *)(salt_length > 0 ? salt : empty), salt_length);
    params[count++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, (void *)(info_length > 0 ? info : empty), info_length);
    params[count] = OSSL_PARAM_construct_end();
    ok = EVP_KDF_derive(context, out, out_length, params) == 1;

done:
    EVP_KDF_CTX_free(context);
    EVP_KDF_free(kdf);
    return ok;
}

static const EVP_CIPHER *aes_cbc_for_key_length(size_t key_length) {
    switch (key_length) {
    case 16: return EVP_aes_128_cbc();
    case 24: return EVP_aes_192_cbc();
    case 32: return EVP_aes_256_cbc();
    default: return NULL;
    }
}

static int aes_cbc(int encrypt, const uint8_t *key, size_t key_length, const uint8_t iv[16],
                   const uint8_t *in, size_t in_length, uint8_t *out, size_t *out_length) {
    const EVP_CIPHER *cipher = aes_cbc_for_key_length(key_length);
    EVP_CIPHER_CTX *context = NULL;
    int written = 0;
    int final_written = 0;
    int ok = 0;

    if (cipher == NULL || in_length > INT32_MAX - 32) {
        return 0;
    }
    context = EVP_CIPHER_CTX_new();
    if (context == NULL || EVP_CipherInit_ex(context, cipher, NULL, key, iv, encrypt) != 1) {
        goto done;
    }
    if (EVP_CipherUpdate(context, out, &written, in, (int)in_length) != 1) {
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

int ccrypto_aes_cbc_encrypt(const uint8_t *key, size_t key_length, const uint8_t iv[16],
                            const uint8_t *in, size_t in_length,
                            uint8_t *out, size_t *out_length) {
    return aes_cbc(1, key, key_length, iv, in, in_length, out, out_length);
}

int ccrypto_aes_cbc_decrypt(const uint8_t *key, size_t key_length, const uint8_t iv[16],
                            const uint8_t *in, size_t in_length,
                            uint8_t *out, size_t *out_length) {
    return aes_cbc(0, key, key_length, iv, in, in_length, out, out_length);
}
