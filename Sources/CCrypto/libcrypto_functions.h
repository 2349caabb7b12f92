/* Every libcrypto function that claude-gate calls, one entry each: return
 * type, name, parameter list, argument list. The file has no include guard
 * because it is included with different definitions of LAZY_FUNCTION and
 * LAZY_VOID_FUNCTION. libcrypto_stubs.c defines forwarding functions from it.
 * scripts/build-deb.sh builds a probe from it that links the real library,
 * so that dpkg-shlibdeps can compute the package dependency.
 *
 * A call to a function missing here fails to link with an undefined
 * reference. Add the function with the parameter list from the OpenSSL
 * header that declares it. Macros such as OPENSSL_free expand to calls of
 * the functions listed here (CRYPTO_free). */

LAZY_FUNCTION(BIGNUM *, BN_bin2bn,
    (const unsigned char *s, int len, BIGNUM *ret),
    (s, len, ret))
LAZY_FUNCTION(int, BN_bn2binpad,
    (const BIGNUM *a, unsigned char *to, int tolen),
    (a, to, tolen))
LAZY_VOID_FUNCTION(BN_free,
    (BIGNUM *a),
    (a))
LAZY_FUNCTION(BIGNUM *, BN_get_rfc2409_prime_1024,
    (BIGNUM *bn),
    (bn))
LAZY_FUNCTION(BIGNUM *, BN_new,
    (void),
    ())
LAZY_FUNCTION(int, BN_num_bits,
    (const BIGNUM *a),
    (a))
LAZY_FUNCTION(int, BN_set_word,
    (BIGNUM *a, unsigned long w),
    (a, w))
LAZY_VOID_FUNCTION(CRYPTO_free,
    (void *ptr, const char *file, int line),
    (ptr, file, line))
LAZY_FUNCTION(void *, CRYPTO_malloc,
    (size_t num, const char *file, int line),
    (num, file, line))
LAZY_FUNCTION(int, EVP_CIPHER_CTX_ctrl,
    (EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr),
    (ctx, type, arg, ptr))
LAZY_VOID_FUNCTION(EVP_CIPHER_CTX_free,
    (EVP_CIPHER_CTX *c),
    (c))
LAZY_FUNCTION(EVP_CIPHER_CTX *, EVP_CIPHER_CTX_new,
    (void),
    ())
LAZY_VOID_FUNCTION(EVP_CIPHER_CTX_set_flags,
    (EVP_CIPHER_CTX *ctx, int flags),
    (ctx, flags))
LAZY_FUNCTION(int, EVP_CipherFinal_ex,
    (EVP_CIPHER_CTX *ctx, unsigned char *outm, int *outl),
    (ctx, outm, outl))
LAZY_FUNCTION(int, EVP_CipherInit_ex,
    (EVP_CIPHER_CTX *ctx, const EVP_CIPHER *cipher, ENGINE *impl, const unsigned char *key, const unsigned char *iv, int enc),
    (ctx, cipher, impl, key, iv, enc))
LAZY_FUNCTION(int, EVP_CipherUpdate,
    (EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl),
    (ctx, out, outl, in, inl))
LAZY_VOID_FUNCTION(EVP_KDF_CTX_free,
    (EVP_KDF_CTX *ctx),
    (ctx))
LAZY_FUNCTION(EVP_KDF_CTX *, EVP_KDF_CTX_new,
    (EVP_KDF *kdf),
    (kdf))
LAZY_FUNCTION(int, EVP_KDF_derive,
    (EVP_KDF_CTX *ctx, unsigned char *key, size_t keylen, const OSSL_PARAM params[]),
    (ctx, key, keylen, params))
LAZY_FUNCTION(EVP_KDF *, EVP_KDF_fetch,
    (OSSL_LIB_CTX *libctx, const char *algorithm, const char *properties),
    (libctx, algorithm, properties))
LAZY_VOID_FUNCTION(EVP_KDF_free,
    (EVP_KDF *kdf),
    (kdf))
LAZY_VOID_FUNCTION(EVP_PKEY_CTX_free,
    (EVP_PKEY_CTX *ctx),
    (ctx))
LAZY_FUNCTION(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_name,
    (OSSL_LIB_CTX *libctx, const char *name, const char *propquery),
    (libctx, name, propquery))
LAZY_FUNCTION(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_pkey,
    (OSSL_LIB_CTX *libctx, EVP_PKEY *pkey, const char *propquery),
    (libctx, pkey, propquery))
LAZY_FUNCTION(int, EVP_PKEY_CTX_set_dh_pad,
    (EVP_PKEY_CTX *ctx, int pad),
    (ctx, pad))
LAZY_FUNCTION(int, EVP_PKEY_CTX_set_params,
    (EVP_PKEY_CTX *ctx, const OSSL_PARAM *params),
    (ctx, params))
LAZY_FUNCTION(int, EVP_PKEY_derive,
    (EVP_PKEY_CTX *ctx, unsigned char *key, size_t *keylen),
    (ctx, key, keylen))
LAZY_FUNCTION(int, EVP_PKEY_derive_init,
    (EVP_PKEY_CTX *ctx),
    (ctx))
LAZY_FUNCTION(int, EVP_PKEY_derive_set_peer,
    (EVP_PKEY_CTX *ctx, EVP_PKEY *peer),
    (ctx, peer))
LAZY_VOID_FUNCTION(EVP_PKEY_free,
    (EVP_PKEY *pkey),
    (pkey))
LAZY_FUNCTION(int, EVP_PKEY_fromdata,
    (EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey, int selection, OSSL_PARAM param[]),
    (ctx, ppkey, selection, param))
LAZY_FUNCTION(int, EVP_PKEY_fromdata_init,
    (EVP_PKEY_CTX *ctx),
    (ctx))
LAZY_FUNCTION(int, EVP_PKEY_generate,
    (EVP_PKEY_CTX *ctx, EVP_PKEY **ppkey),
    (ctx, ppkey))
LAZY_FUNCTION(int, EVP_PKEY_get_bn_param,
    (const EVP_PKEY *pkey, const char *key_name, BIGNUM **bn),
    (pkey, key_name, bn))
LAZY_FUNCTION(int, EVP_PKEY_keygen_init,
    (EVP_PKEY_CTX *ctx),
    (ctx))
LAZY_FUNCTION(const EVP_CIPHER *, EVP_aes_128_cbc,
    (void),
    ())
LAZY_FUNCTION(const EVP_CIPHER *, EVP_aes_128_wrap,
    (void),
    ())
LAZY_FUNCTION(const EVP_CIPHER *, EVP_aes_192_cbc,
    (void),
    ())
LAZY_FUNCTION(const EVP_CIPHER *, EVP_aes_192_wrap,
    (void),
    ())
LAZY_FUNCTION(const EVP_CIPHER *, EVP_aes_256_cbc,
    (void),
    ())
LAZY_FUNCTION(const EVP_CIPHER *, EVP_aes_256_gcm,
    (void),
    ())
LAZY_FUNCTION(const EVP_CIPHER *, EVP_aes_256_wrap,
    (void),
    ())
LAZY_FUNCTION(const EVP_MD *, EVP_sha256,
    (void),
    ())
LAZY_VOID_FUNCTION(OPENSSL_cleanse,
    (void *ptr, size_t len),
    (ptr, len))
LAZY_VOID_FUNCTION(OSSL_PARAM_BLD_free,
    (OSSL_PARAM_BLD *bld),
    (bld))
LAZY_FUNCTION(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_new,
    (void),
    ())
LAZY_FUNCTION(int, OSSL_PARAM_BLD_push_BN,
    (OSSL_PARAM_BLD *bld, const char *key, const BIGNUM *bn),
    (bld, key, bn))
LAZY_FUNCTION(OSSL_PARAM *, OSSL_PARAM_BLD_to_param,
    (OSSL_PARAM_BLD *bld),
    (bld))
LAZY_FUNCTION(OSSL_PARAM, OSSL_PARAM_construct_end,
    (void),
    ())
LAZY_FUNCTION(OSSL_PARAM, OSSL_PARAM_construct_int,
    (const char *key, int *buf),
    (key, buf))
LAZY_FUNCTION(OSSL_PARAM, OSSL_PARAM_construct_octet_string,
    (const char *key, void *buf, size_t bsize),
    (key, buf, bsize))
LAZY_FUNCTION(OSSL_PARAM, OSSL_PARAM_construct_utf8_string,
    (const char *key, char *buf, size_t bsize),
    (key, buf, bsize))
LAZY_VOID_FUNCTION(OSSL_PARAM_free,
    (OSSL_PARAM *p),
    (p))
LAZY_FUNCTION(int, PKCS5_PBKDF2_HMAC,
    (const char *pass, int passlen, const unsigned char *salt, int saltlen, int iter, const EVP_MD *digest, int keylen, unsigned char *out),
    (pass, passlen, salt, saltlen, iter, digest, keylen, out))
LAZY_FUNCTION(int, RAND_bytes,
    (unsigned char *buf, int num),
    (buf, num))
