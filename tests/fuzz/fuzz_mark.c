/*
 * fuzz_mark: libFuzzer target for the marking-code parser.
 *
 * Any bytes: the parser must not crash, read out of bounds or hang, and
 * what it returns must hold together (a valid mark has a КИ built from its
 * own GTIN and serial; a refusal renders as a terminated message).
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "scanners/mark.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mark m;
	char msg[256];
	size_t full;

	if (mark_parse((const char *)data, size, &m) == 0) {
		assert(m.kind != MARK_INVALID);
		assert(m.err.code == MARK_E_OK);
		if (m.kind == MARK_ITEM || m.kind == MARK_TOBACCO_BLOCK ||
		    m.kind == MARK_TOBACCO_SET) {
			assert(strlen(m.gtin) == MARK_GTIN_LEN);
			assert(memcmp(m.cis, "01", 2) == 0);
			assert(memcmp(m.cis + 2, m.gtin, MARK_GTIN_LEN) == 0);
			assert(strcmp(m.cis + 4 + MARK_GTIN_LEN, m.serial) == 0);
		}
		if (m.kind == MARK_SSCC)
			assert(strlen(m.sscc) == MARK_SSCC_LEN);
	} else {
		assert(m.kind == MARK_INVALID && m.err.code != MARK_E_OK);
		assert(m.cis[0] == '\0');
		full = mark_strerror(&m, msg, sizeof(msg));
		assert(strlen(msg) == (full < sizeof(msg) ? full :
				       sizeof(msg) - 1));
	}
	if (mark_sscc_check((const char *)data, size, &m) == 0)
		assert(strlen(m.sscc) == MARK_SSCC_LEN);
	return 0;
}
