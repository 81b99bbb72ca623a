/*
 * sign: electronic signatures for True API (true-api.md §3).
 *
 * A signer turns bytes into a CMS SignedData (CAdES-BES: signing time and
 * signing-certificate-v2) with a GOST R 34.10-2012 key (256 or 512 bit),
 * base64 without line breaks: attached for the auth challenge, detached
 * over the raw document bytes for documents. Two back ends: OpenSSL 3 with
 * Debian's gost engine and PEM key/certificate files, or an external
 * command given as a template (CryptoPro's cryptcp and the like).
 *
 * Must not: accept key or certificate files that others can read, write a
 * key, signature or signed data into a log or an error message, leave
 * temporary files behind, or use a shell to run the external command.
 * OpenSSL is used only in sync/.
 */
#ifndef SKLAD_SY_SIGN_H
#define SKLAD_SY_SIGN_H

#include <stddef.h>

#include "scanners/err.h"

struct sy_sign;

struct sy_sign_opts {
	/* OpenSSL back end: PEM files, mode 0600 or stricter. */
	const char *key_file;
	const char *cert_file;
	/*
	 * External back end, used when command_detached is set: argument
	 * templates split on spaces (no shell, no quoting), in which {in}
	 * becomes the file of bytes to sign and {out} the file the command
	 * writes the signature to (DER, base64 or PEM). Example:
	 *   "cryptcp -sign -thumbprint 12ab... -der -detached {in} {out}"
	 * command_attached is the same for the attached form; if NULL,
	 * attached signing (auth) fails with ERR_INVALID.
	 */
	const char *command_detached;
	const char *command_attached;
};

enum sy_sign_form {
	SY_SIGN_DETACHED = 0,	/* documents: content not included */
	SY_SIGN_ATTACHED = 1,	/* auth: content included */
};

/*
 * Make a signer. With key/cert files: checks that each is a regular file
 * that only its owner may read (else ERR_DENIED, naming the file and the
 * chmod that fixes it), loads the gost engine (ERR_INTERNAL if it is not
 * installed: package libengine-gost-openssl), and the key and certificate
 * (ERR_INVALID if unreadable as PEM). *out is freed with sy_sign_free.
 */
int sy_sign_new(struct sy_sign **out, const struct sy_sign_opts *opts,
		struct err *e);

/* Free *pp (NULL is fine) and set it NULL. */
void sy_sign_free(struct sy_sign **pp);

/*
 * Sign len bytes at data in the given form. *b64 receives a NUL-terminated
 * base64 string without line breaks, owned by the caller (free()).
 * Errors: ERR_INTERNAL (OpenSSL failed), ERR_IO (external command could
 * not run, failed, or wrote no valid signature), ERR_INVALID.
 */
int sy_sign_data(struct sy_sign *s, const void *data, size_t len,
		 enum sy_sign_form form, char **b64, struct err *e);

#endif
