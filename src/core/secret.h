/* secret.h - secrets at rest: authenticated encryption (libsodium's secretbox, XSalsa20 +
 * Poly1305) of small values such as OAuth refresh tokens before they are stored in the
 * database. The key comes from SECRET_KEY (any passphrase of at least 32 characters, hashed
 * to 32 bytes) or, when that is unset, from a key file created once with mode 0600. */
#ifndef YAA_CORE_SECRET_H
#define YAA_CORE_SECRET_H

#include "core/err.h"

#include <stddef.h>

#define YAA_SECRET_KEY_BYTES 32

typedef struct yaa_secret_key {
    unsigned char key[YAA_SECRET_KEY_BYTES];
    char id[17]; /* first 16 hex digits of a hash of the key: names it without revealing it */
} yaa_secret_key;

/* From passphrase (SECRET_KEY) when non-empty, else from key_file: read when it exists
 * (refused when group- or world-readable), created with 64 random hex digits and mode 0600
 * (and its folder) when it does not. */
int yaa_secret_key_load(const char *passphrase, const char *key_file, yaa_secret_key *out,
                        yaa_err *err);
/* "v1:<key id>:<base64(nonce || ciphertext)>" in *out (malloc'd). */
int yaa_secret_seal(const yaa_secret_key *k, const char *plaintext, char **out, yaa_err *err);
/* The plaintext of a sealed value (malloc'd; wipe with yaa_secret_wipe_free). A value sealed
 * with another key, or tampered with, is refused with a message saying which. */
int yaa_secret_open(const yaa_secret_key *k, const char *sealed, char **plaintext, yaa_err *err);
/* Zeroes and frees a secret string. */
void yaa_secret_wipe_free(char *s);

#endif
