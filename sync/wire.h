/*
 * wire: True API request bodies and answers, as pure functions
 * (true-api.md, cited as "ref §N").
 *
 * Builds the JSON the server expects, field for field and in a fixed key
 * order, and parses every answer shape the reference lists, tolerating
 * nulls, unknown fields, bare-string ids, arrays where one object is
 * expected and XML error bodies. Everything here is fuzzed.
 *
 * Must not: do I/O, keep state, log, or put request secrets (tokens,
 * signatures) into error messages. Only jansson and libc.
 */
#ifndef SKLAD_SY_WIRE_H
#define SKLAD_SY_WIRE_H

#include <stddef.h>

#include "scanners/err.h"

/* Base64 (RFC 4648, with padding, no line breaks); malloc'd, NULL if out
 * of memory. */
char *sy_wire_b64_encode(const void *data, size_t len);

/*
 * Strict base64 decode of len chars at s (no white space allowed).
 * *out (malloc'd, caller frees) and *outlen on success; -1 if invalid.
 */
int sy_wire_b64_decode(const char *s, size_t len, unsigned char **out,
		       size_t *outlen);

/* ---- auth (ref §2.1, §2.2) ---------------------------------------- */

struct sy_wire_challenge {
	char uuid[64];		/* /auth/key "uuid" */
	char *data;		/* /auth/key "data", owned: free() */
};

/*
 * Parse the /auth/key answer. ERR_SERVER if uuid or data is missing or
 * not a string; on success ch->data must be freed.
 */
int sy_wire_parse_challenge(const char *body, size_t len,
			    struct sy_wire_challenge *ch, struct err *e);

/*
 * The /auth/simpleSignIn body: {"uuid":...,"data":...} or, with united,
 * {"data":...,"unitedToken":true} (uuid still sent when given). Returns a
 * malloc'd string or NULL (out of memory).
 */
char *sy_wire_signin_body(const char *uuid, const char *sig_b64,
			  int united);

/*
 * The token from a /auth/simpleSignIn answer, "token" or "uuidToken";
 * *token is malloc'd. ERR_SERVER if neither is a non-empty string.
 */
int sy_wire_parse_token(const char *body, size_t len, char **token,
			struct err *e);

/* ---- documents (ref §4) ------------------------------------------- */

/*
 * The /lk/documents/create body: document_format, product_document
 * (base64 of doc), type, signature, in that order. format and type must
 * be upper-case identifiers and sig_b64 base64, else NULL. malloc'd.
 */
char *sy_wire_create_body(const char *format, const char *type,
			  const void *doc, size_t doc_len,
			  const char *sig_b64, size_t *out_len);

/*
 * The document id from a create answer in any shape ref §4.2 lists: a
 * bare id, a JSON string, or an object with "id" or "value" (white space
 * and quotes stripped). Ids are 1..127 printable ASCII without quotes or
 * slashes. ERR_SERVER otherwise.
 */
int sy_wire_parse_doc_id(const char *body, size_t len, char *id,
			 size_t idsz, struct err *e);

/*
 * One readable line from an error answer: error_message, error_description,
 * description or message from JSON; <error_description> or <error> from
 * XML (401s, ref §9.3); else the start of the body. Control characters
 * become spaces; always NUL-terminated.
 */
void sy_wire_error_text(const char *body, size_t len, char *out,
			size_t outsz);

/* A document as /doc/{id}/info and /doc/list describe it (ref §6.1, §8). */
struct sy_wire_doc {
	char id[128];		/* "number" */
	char type[64];
	char status[48];	/* raw, unknown values kept */
	char sender_inn[16];
	char receiver_inn[16];
	char doc_date[40];
	char received_at[40];
	char related_id[128];
	int input;		/* 1 incoming, 0 outgoing, -1 unknown */
	char errors[1024];	/* errors[] and commonErrors joined by "; " */
};

/*
 * Parse /doc/{id}/info: an array of one object (or, defensively, the
 * object itself). ERR_SERVER if there is no document object.
 */
int sy_wire_parse_doc_info(const char *body, size_t len,
			   struct sy_wire_doc *doc, struct err *e);

/*
 * Parse a /doc/list page: {"results":[...], "nextPage":bool}. *docs is a
 * malloc'd array of *n entries (may be NULL when 0); *next_page 0/1.
 */
int sy_wire_parse_doc_list(const char *body, size_t len,
			   struct sy_wire_doc **docs, size_t *n,
			   int *next_page, struct err *e);

/*
 * Whether a /doc/{id}/info?body=true&content=true answer describes
 * exactly this document: its "content" equals doc (raw text or base64 of
 * it), or its "body" equals doc parsed as JSON. 1 yes, 0 no, -1 when
 * the answer holds nothing to compare with (then nobody can tell).
 */
int sy_wire_doc_matches(const char *body, size_t len, const void *doc,
			size_t doc_len);

/* ---- codes (ref §7) ------------------------------------------------ */

/* The /cises/info body: a JSON array of n codes. malloc'd or NULL. */
char *sy_wire_cises_body(const char *const *codes, size_t n);

struct sy_wire_cis {
	char cis[256];		/* requestedCis, else cis */
	char status[32];
	char status_ex[48];
	char owner_inn[16];
	char parent[256];
	char package_type[16];	/* generalPackageType, else packageType */
	char gtin[16];
	char error_code[16];	/* "" if the code was found */
	char error[256];
};

/* 1 if body is a JSON array (an answer of per-item results even under
 * an error status, ref §7), else 0. */
int sy_wire_is_array(const char *body, size_t len);

/*
 * Parse a /cises/info answer: an array of {cisInfo, errorMessage,
 * errorCode}. *out malloc'd array of *n. ERR_SERVER if not an array.
 */
int sy_wire_parse_cises(const char *body, size_t len,
			struct sy_wire_cis **out, size_t *n, struct err *e);

#endif
