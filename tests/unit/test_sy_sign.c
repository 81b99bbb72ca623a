/*
 * test_sy_sign: GOST R 34.10-2012 CMS signatures from sync/sign.c, checked
 * by `openssl cms -verify` with the gost engine: detached over raw bytes,
 * attached for auth, 256 and 512 bit keys, CAdES-BES attributes, base64
 * without line breaks; the external-command back end; refusal of key
 * files others can read. Keys are made at test time in a temp dir.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sync/sign.h"
#include "sync/wire.h"

static char dir[512];

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static int
rm_cb(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb;
	(void)f;
	(void)w;
	return remove(p);
}

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	int bits;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sklad-sign-test-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	for (bits = 256; bits <= 512; bits += 256) {
		if (sh("cd %s && umask 077 && openssl genpkey -engine gost "
		       "-algorithm gost2012_%d -pkeyopt paramset:A -out k%d.pem"
		       " 2>/dev/null && openssl req -engine gost -new -x509 "
		       "-key k%d.pem -out c%d.pem -days 2 -md_gost12_%d "
		       "-subj '/CN=Test/INN=7700000001' 2>/dev/null",
		       dir, bits, bits, bits, bits, bits) != 0)
			return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void
path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char p[600];
	FILE *f;

	path(p, sizeof(p), name);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Decode b64 into dir/name (DER). */
static void
write_sig(const char *name, const char *b64)
{
	unsigned char *der;
	size_t n;

	assert_null(strchr(b64, '\n'));
	assert_null(strchr(b64, '\r'));
	assert_int_equal(sy_wire_b64_decode(b64, strlen(b64), &der, &n), 0);
	write_file(name, der, n);
	free(der);
}

static struct sy_sign *
signer(int bits)
{
	struct sy_sign_opts o = { 0 };
	char k[600], c[600], kn[16], cn[16];
	struct sy_sign *s = NULL;
	struct err e;

	snprintf(kn, sizeof(kn), "k%d.pem", bits);
	snprintf(cn, sizeof(cn), "c%d.pem", bits);
	path(k, sizeof(k), kn);
	path(c, sizeof(c), cn);
	o.key_file = k;
	o.cert_file = c;
	if (sy_sign_new(&s, &o, &e) < 0)
		fail_msg("sy_sign_new: %s", e.msg);
	return s;
}

static void
detached(int bits)
{
	/* bytes with NUL, GS and UTF-8: a signature covers raw bytes */
	static const char doc[] = "{\"participantId\":\"7700000001\","
		"\"x\":\"\x1d\xd0\x96\"}\0tail";
	struct sy_sign *s = signer(bits);
	struct err e;
	char *b64 = NULL;

	assert_int_equal(sy_sign_data(s, doc, sizeof(doc), SY_SIGN_DETACHED,
				      &b64, &e), 0);
	write_sig("d.der", b64);
	write_file("doc", doc, sizeof(doc));
	assert_int_equal(sh("cd %s && openssl cms -verify -engine gost "
			    "-binary -inform DER -in d.der -content doc "
			    "-CAfile c%d.pem -purpose any -out /dev/null "
			    "2>/dev/null", dir, bits), 0);
	/* detached: no content inside; CAdES-BES attributes present */
	assert_int_equal(sh("cd %s && openssl cms -cmsout -print -inform DER "
			    "-in d.der 2>/dev/null | grep -q 'eContent: "
			    "<ABSENT>'", dir), 0);
	assert_int_equal(sh("cd %s && openssl cms -cmsout -print -inform DER "
			    "-in d.der | grep -q signingTime && openssl cms "
			    "-cmsout -print -inform DER -in d.der | grep -q "
			    "signingCertificateV2", dir), 0);
	assert_int_equal(sh("cd %s && openssl cms -cmsout -print -inform DER "
			    "-in d.der | grep -q 'GOST R 34.11-2012 with %d "
			    "bit hash'", dir, bits), 0);
	/* other bytes do not verify */
	write_file("doc", doc, sizeof(doc) - 1);
	assert_int_not_equal(sh("cd %s && openssl cms -verify -engine gost "
				"-binary -inform DER -in d.der -content doc "
				"-CAfile c%d.pem -purpose any -out /dev/null "
				"2>/dev/null", dir, bits), 0);
	free(b64);
	sy_sign_free(&s);
	assert_null(s);
}

static void
test_detached_256(void **state)
{
	(void)state;
	detached(256);
}

static void
test_detached_512(void **state)
{
	(void)state;
	detached(512);
}

static void
test_attached_auth(void **state)
{
	const char data[] = "GNUFBAZBMPIUUMLXNMIOGSHTGFXZMT";
	struct sy_sign *s = signer(256);
	char *b64 = NULL, out[600], buf[64] = "";
	struct err e;
	FILE *f;

	(void)state;
	assert_int_equal(sy_sign_data(s, data, strlen(data), SY_SIGN_ATTACHED,
				      &b64, &e), 0);
	write_sig("a.der", b64);
	assert_int_equal(sh("cd %s && openssl cms -verify -engine gost "
			    "-binary -inform DER -in a.der -CAfile c256.pem "
			    "-purpose any -out a.out 2>/dev/null", dir), 0);
	path(out, sizeof(out), "a.out");
	f = fopen(out, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, data);
	free(b64);
	sy_sign_free(&s);
}

static void
test_refuses_readable_key(void **state)
{
	struct sy_sign_opts o = { 0 };
	struct sy_sign *s = NULL;
	char k[600], c[600];
	struct err e;

	(void)state;
	path(k, sizeof(k), "k256.pem");
	path(c, sizeof(c), "c256.pem");
	o.key_file = k;
	o.cert_file = c;
	assert_int_equal(chmod(k, 0640), 0);
	assert_int_equal(sy_sign_new(&s, &o, &e), ERR_DENIED);
	assert_null(s);
	assert_non_null(strstr(e.msg, "chmod 600"));
	assert_non_null(strstr(e.msg, k));
	assert_int_equal(chmod(k, 0604), 0);
	assert_int_equal(sy_sign_new(&s, &o, &e), ERR_DENIED);
	assert_int_equal(chmod(k, 0600), 0);
	assert_int_equal(chmod(c, 0644), 0);
	assert_int_equal(sy_sign_new(&s, &o, &e), ERR_DENIED);
	assert_non_null(strstr(e.msg, "certificate"));
	assert_int_equal(chmod(c, 0600), 0);
	/* key of another certificate */
	path(c, sizeof(c), "c512.pem");
	assert_int_equal(sy_sign_new(&s, &o, &e), ERR_INVALID);
	assert_null(s);
	/* missing file, and no file at all */
	path(k, sizeof(k), "nope.pem");
	assert_int_equal(sy_sign_new(&s, &o, &e), ERR_IO);
	o.key_file = NULL;
	assert_int_equal(sy_sign_new(&s, &o, &e), ERR_INVALID);
	/* a PEM that is not a key */
	path(k, sizeof(k), "c256.pem");
	o.key_file = k;
	path(c, sizeof(c), "c256.pem");
	assert_int_equal(sy_sign_new(&s, &o, &e), ERR_INVALID);
}

static void
test_external_command(void **state)
{
	const char doc[] = "{\"participant_inn\":\"7700000001\"}";
	struct sy_sign_opts o = { 0 };
	struct sy_sign *s = NULL;
	char det[2048], att[2048], *b64 = NULL;
	struct err e;

	(void)state;
	/* what a CryptoPro user writes with cryptcp, here with openssl;
	 * DER out for detached, PEM for attached: both are accepted */
	snprintf(det, sizeof(det), "openssl cms -sign -engine gost -cades "
		 "-binary -signer %s/c256.pem -inkey %s/k256.pem -in {in} "
		 "-outform DER -out {out}", dir, dir);
	snprintf(att, sizeof(att), "openssl cms -sign -engine gost -cades "
		 "-binary -nodetach -signer %s/c256.pem -inkey %s/k256.pem "
		 "-in {in} -outform PEM -out {out}", dir, dir);
	o.command_detached = det;
	o.command_attached = att;
	assert_int_equal(sy_sign_new(&s, &o, &e), 0);
	assert_int_equal(sy_sign_data(s, doc, strlen(doc), SY_SIGN_DETACHED,
				      &b64, &e), 0);
	write_sig("x.der", b64);
	write_file("doc", doc, strlen(doc));
	assert_int_equal(sh("cd %s && openssl cms -verify -engine gost "
			    "-binary -inform DER -in x.der -content doc "
			    "-CAfile c256.pem -purpose any -out /dev/null "
			    "2>/dev/null", dir), 0);
	free(b64);
	assert_int_equal(sy_sign_data(s, "ABC", 3, SY_SIGN_ATTACHED, &b64,
				      &e), 0);
	write_sig("y.der", b64);
	assert_int_equal(sh("cd %s && openssl cms -verify -engine gost "
			    "-binary -inform DER -in y.der -CAfile c256.pem "
			    "-purpose any 2>/dev/null | grep -qx ABC", dir),
			 0);
	free(b64);
	sy_sign_free(&s);

	/* a failing command, a command writing junk, a missing one */
	o.command_detached = "false {in} {out}";
	o.command_attached = NULL;
	assert_int_equal(sy_sign_new(&s, &o, &e), 0);
	assert_int_equal(sy_sign_data(s, "x", 1, SY_SIGN_DETACHED, &b64, &e),
			 ERR_IO);
	assert_null(b64);
	assert_int_equal(sy_sign_data(s, "x", 1, SY_SIGN_ATTACHED, &b64, &e),
			 ERR_INVALID);
	sy_sign_free(&s);
	o.command_detached = "cp {in} {out}";
	assert_int_equal(sy_sign_new(&s, &o, &e), 0);
	assert_int_equal(sy_sign_data(s, "not a signature", 15,
				      SY_SIGN_DETACHED, &b64, &e), ERR_IO);
	/* the message names no signed data */
	assert_null(strstr(e.msg, "not a signature"));
	sy_sign_free(&s);
	o.command_detached = "/nonexistent/cryptcp {in} {out}";
	assert_int_equal(sy_sign_new(&s, &o, &e), 0);
	assert_int_equal(sy_sign_data(s, "x", 1, SY_SIGN_DETACHED, &b64, &e),
			 ERR_IO);
	sy_sign_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detached_256),
		cmocka_unit_test(test_detached_512),
		cmocka_unit_test(test_attached_auth),
		cmocka_unit_test(test_refuses_readable_key),
		cmocka_unit_test(test_external_command),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
