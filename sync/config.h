/*
 * config: sync's settings from an INI file (/etc/sklad/sync.conf).
 *
 * What `sklad sync` and the console need to reach True API: the v3 and v4
 * base URLs, the CA bundle, the token cache file, the signer (PEM key and
 * certificate, or an external command template), and optionally the
 * participant INN and product group (otherwise the site table's). Parsed
 * with Debian's libinih; unknown sections or keys are errors with their
 * line number, so a typo never silently means "default".
 *
 *   [true-api]
 *   v3 = https://markirovka.crpt.ru/api/v3/true-api
 *   v4 = https://markirovka.crpt.ru/api/v4/true-api
 *   ca_file = /etc/ssl/certs/ca-certificates.crt
 *   token_file = /var/lib/sklad/token
 *   inn = 7700000001            ; default: the site's
 *   product_group = milk        ; default: the site's
 *   united_token = no
 *   timeout_seconds = 120
 *   max_attempts = 5            ; tries per request
 *   max_wait_ms = 120000        ; longest back-off waited in a request
 *   [sign]
 *   key = /etc/sklad/key.pem    ; mode 0600, or:
 *   cert = /etc/sklad/cert.pem  ; mode 0600 too: sklad refuses it otherwise
 *   command_detached = cryptcp -sign ... {in} {out}
 *   command_attached = cryptcp -sign ... {in} {out}
 *   [sync]
 *   max_seconds = 1800
 *   poll_initial_ms = 2000
 *   poll_max_ms = 60000
 *   settle_ms = 600000          ; how long a lost document may stay unseen
 *   retry_ms = 30000            ; wait after the server was away
 *
 * Must not: hold secrets itself (keys and tokens live in their own files,
 * readable by their owner only), or read anything but the one file.
 */
#ifndef SKLAD_SY_CONFIG_H
#define SKLAD_SY_CONFIG_H

#include <stdint.h>

#include "scanners/err.h"

#define SY_CONFIG_STR 512

struct sy_config {
	char v3[SY_CONFIG_STR];		/* base URLs, no trailing slash */
	char v4[SY_CONFIG_STR];
	char ca_file[SY_CONFIG_STR];	/* "" : the system's bundle */
	char token_file[SY_CONFIG_STR];	/* "" : keep the token in memory */
	char inn[16];			/* "" : the site's */
	char product_group[32];		/* "" : the site's */
	int united_token;		/* 1: ask for a uuidToken */
	long timeout_ms;		/* per transfer; 0: the api's */
	int max_attempts;		/* tries per request; 0: the api's */
	int64_t max_wait_ms;		/* longest back-off; 0: the api's */
	char key_file[SY_CONFIG_STR];
	char cert_file[SY_CONFIG_STR];
	char command_detached[SY_CONFIG_STR];
	char command_attached[SY_CONFIG_STR];
	long max_seconds;		/* batch deadline; 0: none given */
	int64_t poll_initial_ms;	/* 0: runner default */
	int64_t poll_max_ms;
	int64_t settle_ms;
	int64_t retry_ms;		/* 0: runner default (30 s) */
};

/*
 * Read path into *c (zeroed first). Errors: ERR_IO (cannot open),
 * ERR_INVALID (a bad line, key or value: the message names the line),
 * ERR_INVALID also when v3/v4 or a signer is missing.
 */
int sy_config_load(const char *path, struct sy_config *c, struct err *e);

struct sy_sign;
struct sy_api;

/*
 * The signer and the True API client that c describes. The INN and the
 * product group fall back to site_inn and site_pg where the file leaves
 * them empty (ERR_INVALID if both are empty). log (may be NULL) receives
 * the client's log lines. On success *sign and *api are the caller's:
 * sy_api_free first, then sy_sign_free. On failure both are NULL.
 */
int sy_config_client(const struct sy_config *c, const char *site_inn,
		     const char *site_pg, void (*log)(void *, const char *),
		     void *log_ctx, struct sy_sign **sign,
		     struct sy_api **api, struct err *e);

#endif
