/*
 * fuzz_sy_wire: every True API answer parser of sync/wire.c (and the
 * status mapping of sync/policy.c) on arbitrary server bytes. Answers are
 * untrusted: nothing may crash, leak, read out of bounds or leave a
 * parsed string unterminated.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/policy.h"
#include "sync/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct sy_wire_challenge ch;
	struct sy_wire_doc doc, *docs = NULL;
	struct sy_wire_cis *cis = NULL;
	unsigned char *raw = NULL;
	char id[128], text[300], *tok = NULL, *enc;
	size_t n = 0, rawlen, i;
	int next;

	if (sy_wire_parse_challenge(s, size, &ch, NULL) == 0) {
		if (strlen(ch.uuid) >= sizeof(ch.uuid))
			abort();
		free(ch.data);
	}
	if (sy_wire_parse_token(s, size, &tok, NULL) == 0 && tok[0] == '\0')
		abort();
	free(tok);
	if (sy_wire_parse_doc_id(s, size, id, sizeof(id), NULL) == 0 &&
	    (id[0] == '\0' || strlen(id) >= sizeof(id)))
		abort();
	sy_wire_error_text(s, size, text, sizeof(text));
	if (strlen(text) >= sizeof(text))
		abort();
	if (sy_wire_parse_doc_info(s, size, &doc, NULL) == 0)
		(void)sy_policy_fate_final(sy_policy_fate(doc.status));
	if (sy_wire_parse_doc_list(s, size, &docs, &n, &next, NULL) == 0)
		for (i = 0; i < n; i++)
			if (strlen(docs[i].errors) >= sizeof(docs[i].errors))
				abort();
	free(docs);
	if (sy_wire_parse_cises(s, size, &cis, &n, NULL) == 0)
		for (i = 0; i < n; i++)
			if (strlen(cis[i].cis) >= sizeof(cis[i].cis))
				abort();
	free(cis);
	(void)sy_wire_doc_matches(s, size, "{\"a\":1}", 7);
	/* base64: whatever decodes re-encodes to the same text */
	if (sy_wire_b64_decode(s, size, &raw, &rawlen) == 0) {
		enc = sy_wire_b64_encode(raw, rawlen);
		if (enc == NULL || strlen(enc) != size)
			abort();
		free(enc);
	}
	free(raw);
	return 0;
}
