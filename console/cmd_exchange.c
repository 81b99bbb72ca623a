/*
 * cmd_exchange: `sklad exchange`, the directory-drop mode for sites
 * whose ERP exchanges files. Each pass:
 *
 *  1. every regular file in --inbox (not hidden) is imported as a
 *     delivery (a УПД, or any form `delivery import` reads) exactly
 *     once, even across crashes: its SHA-256 names it in the store
 *     (upd_inbox) and in the delivery's source. A file already settled
 *     is only moved; one whose import began is looked up by its source
 *     (a finished delivery means done); otherwise it is imported. Then
 *     it moves to inbox/done/, or to inbox/failed/ with NAME.reason
 *     saying why (written first, atomically).
 *  2. every finished shipment and acceptance whose document waits for
 *     export is written into --outbox atomically (a hidden temporary
 *     file, fsync, rename, fsync of the folder) and then recorded as
 *     exported; a crash in between writes the same file again.
 *
 * A file is taken once it has not changed for --settle seconds (default
 * 2) and its name is not hidden or one of a file being written (.tmp,
 * .part, ...), so a file the ERP is still writing is not half read.
 * --once does one pass; otherwise a pass every --interval seconds until
 * SIGINT or SIGTERM. Exit codes: 0 fine; 1 a file was refused (it is in
 * failed/) or a pass failed; 2 usage.
 *
 * What it must not do: import a file twice, leave a half-written file
 * under its final name, or call exit().
 */
#define _GNU_SOURCE		/* open_memstream */
#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libintl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "console/cli.h"
#include "console/export_fmt.h"
#include "console/workflow.h"
#include "store/store.h"
#include "scanners/i18n.h"


/* --- SHA-256 (FIPS 180-4), for naming a file by its content ------------ */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			(uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (; i < 64; i++)
		w[i] = w[i - 16] + (ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
				    (w[i - 15] >> 3)) + w[i - 7] +
			(ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
			 (w[i - 2] >> 10));
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
			((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
			((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* The SHA-256 of data as 64 hex digits. */
static void
sha256_hex(const char *data, size_t len, char out[65])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			  0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	unsigned char last[128];
	uint64_t bits = (uint64_t)len * 8;
	size_t i, rest = len % 64, n;

	for (i = 0; i + 64 <= len; i += 64)
		sha_block(h, (const unsigned char *)data + i);
	memset(last, 0, sizeof(last));
	memcpy(last, data + len - rest, rest);
	last[rest] = 0x80;
	n = rest < 56 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[n - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(h, last);
	if (n == 128)
		sha_block(h, last + 64);
	for (i = 0; i < 8; i++)
		snprintf(out + 8 * i, 9, "%08x", h[i]);
}

/* --- the command --------------------------------------------------------- */

struct xc {
	const char *db_path, *inbox, *outbox, *user, *pin_file;
	struct xf_opts o;
	long interval;
	long settle;		/* seconds a file must be unchanged */
	bool once;
	bool json;
	struct st_db *db;
	struct st_actor who;
	int imported, refused, exported, errors;
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A progress line on stderr with a UTC time stamp. */
static void
say(const char *fmt, ...)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s sklad exchange: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
ensure_dir(const char *path)
{
	return mkdir(path, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

/* Move inbox/name into inbox/sub/ (a free name: name, name.1, ...). */
static int
move_to(const struct xc *x, const char *name, const char *sub,
	char *dest, size_t n)
{
	char from[PATH_MAX], dir[PATH_MAX];
	struct stat sb;
	int k;

	snprintf(from, sizeof(from), "%s/%s", x->inbox, name);
	snprintf(dir, sizeof(dir), "%s/%s", x->inbox, sub);
	if (ensure_dir(dir) < 0)
		return -1;
	if (snprintf(dest, n, "%s/%s", dir, name) >= (int)n)
		return -1;
	for (k = 1; stat(dest, &sb) == 0 && k < 1000; k++)
		if (snprintf(dest, n, "%s/%s.%d", dir, name, k) >= (int)n)
			return -1;
	return rename(from, dest);
}

static void
settle(struct xc *x, const char *name, const struct st_inbox_entry *en)
{
	char dest[PATH_MAX];
	bool done = strcmp(en->state, "done") == 0;
	struct err e;

	if (!done) {
		char rpath[PATH_MAX + 16], dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/failed", x->inbox);
		ensure_dir(dir);
		snprintf(rpath, sizeof(rpath), "%s/%s.reason", dir, name);
		if (xf_write_atomic(rpath, en->reason, strlen(en->reason),
				    &e) < 0)
			say("%s: %s", name, e.msg);
	}
	if (move_to(x, name, done ? "done" : "failed", dest,
		    sizeof(dest)) < 0) {
		say(_("%s: cannot move it: %s"), name, strerror(errno));
		x->errors++;
	}
}

/* One incoming file. */
static void
one_file(struct xc *x, const char *name)
{
	struct st_inbox_entry en;
	struct st_delivery d;
	char path[PATH_MAX], hash[65], source[128];
	uint64_t max;
	size_t len;
	char *data;
	struct err e;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", x->inbox, name);
	/* Whole, for its hash; a regular file within the import limit only
	 * (a FIFO dropped into the inbox must not hang the pass). */
	max = wf_import_max_bytes();
	if ((rc = cli_read_file(path, (size_t)(max != 0 ? max :
						ST_IMPORT_MAX_BYTES),
			  &data, &len, &e)) < 0) {
		say(_("%s: cannot read it: %s"), name, e.msg);
		if (rc != ERR_INVALID) {
			x->errors++;	/* it stays for the next pass */
			return;
		}
		/* over the limit, or no longer a regular file: refused */
		memset(&en, 0, sizeof(en));
		snprintf(en.state, sizeof(en.state), "failed");
		if (snprintf(en.reason, sizeof(en.reason), "%s\n", e.msg) >=
		    (int)sizeof(en.reason))
			en.reason[sizeof(en.reason) - 2] = '\n';
		x->refused++;
		settle(x, name, &en);
		return;
	}
	sha256_hex(data, len, hash);
	if ((rc = st_inbox_get(x->db, hash, &en, &e)) < 0)
		goto db_fail;
	if (rc == 1) {
		/* settled before (maybe the move did not happen) */
		if (st_inbox_put(x->db, hash, name, en.state, en.delivery_id,
				 en.reason, &e) < 0)
			goto db_fail;
		free(data);
		settle(x, name, &en);
		return;
	}
	if (st_inbox_put(x->db, hash, name, "importing", 0, NULL, &e) < 0)
		goto db_fail;
	st_inbox_source(hash, source, sizeof(source));
	rc = st_delivery_import(x->db, &x->who, source, data, len, &d, &e);
	free(data);
	data = NULL;
	memset(&en, 0, sizeof(en));
	if (rc == 0) {
		snprintf(en.state, sizeof(en.state), "done");
		en.delivery_id = d.id;
		say(_("%s: imported as delivery %s"), name, d.number);
		x->imported++;
	} else if (rc == ERR_REFUSED || rc == ERR_INVALID) {
		snprintf(en.state, sizeof(en.state), "failed");
		if (snprintf(en.reason, sizeof(en.reason), "%s\n", e.msg) >=
		    (int)sizeof(en.reason))
			en.reason[sizeof(en.reason) - 2] = '\n';
		say(_("%s: refused: %s"), name, e.msg);
		x->refused++;
	} else {
		goto db_fail;	/* busy, disk: try again next pass */
	}
	if (st_inbox_put(x->db, hash, name, en.state, en.delivery_id,
			 en.reason, &e) < 0)
		goto db_fail;
	settle(x, name, &en);
	return;
db_fail:
	free(data);
	say(_("%s: %s; it stays for the next pass"), name, e.msg);
	x->errors++;
}

/* Hidden files and the usual names of files still being written. */
static int
skip_name(const char *name)
{
	static const char *const ends[] = { ".tmp", ".part", ".partial",
		".crdownload", "~" };
	size_t n = strlen(name), i, k;

	if (name[0] == '.')
		return 1;
	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		k = strlen(ends[i]);
		if (n > k && strcmp(name + n - k, ends[i]) == 0)
			return 1;
	}
	return 0;
}

static void
scan_inbox(struct xc *x)
{
	struct dirent **list = NULL;
	int n, i;

	if ((n = scandir(x->inbox, &list, NULL, alphasort)) < 0) {
		say(_("cannot read the inbox %s: %s"), x->inbox,
		    strerror(errno));
		x->errors++;
		return;
	}
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", x->inbox,
			 list[i]->d_name);
		/* a file changed within --settle seconds may still be being
		 * written (an ERP that does not rename into place): later */
		if (!stop && !skip_name(list[i]->d_name) &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    time(NULL) - sb.st_mtime >= x->settle)
			one_file(x, list[i]->d_name);
		free(list[i]);
	}
	free(list);
}

/* One finished document into the outbox folder. */
static int
one_export(void *arg, const char *kind, int64_t id, int64_t doc)
{
	struct xc *x = arg;
	struct st_export *ex = NULL;
	struct xf_opts o = x->o;
	char path[PATH_MAX], name[256], *buf = NULL;
	size_t len = 0;
	struct err e;
	FILE *f;
	int rc;

	rc = strcmp(kind, "shipment") == 0 ?
		st_export_shipment(x->db, id, &ex, &e) :
		st_export_acceptance(x->db, id, &ex, &e);
	if (rc < 0)
		goto fail;
	if (strcmp(kind, "acceptance") == 0 && o.format == XF_UPD)
		o.format = XF_XML;	/* no УПД for an acceptance result */
	if (o.format == XF_UPD)
		xf_upd_id(ex, &o, name, sizeof(name) - 4);
	else
		snprintf(name, sizeof(name), "%s-%lld", kind, (long long)id);
	snprintf(path, sizeof(path), "%s/%s.%s", x->outbox, name,
		 o.format == XF_CSV ? "csv" : o.format == XF_JSON ? "json" :
		 "xml");
	if ((f = open_memstream(&buf, &len)) == NULL) {
		rc = err_set(&e, ERR_INTERNAL, "out of memory");
		goto fail;
	}
	rc = xf_write(f, ex, &o, &e);
	fclose(f);
	if (rc < 0 || (rc = xf_write_atomic(path, buf, len, &e)) < 0 ||
	    (rc = st_outbox_exported(x->db, doc, path, &e)) < 0)
		goto fail;
	say(_("%s exported into %s"), kind, path);
	x->exported++;
	goto out;
fail:
	say(_("%s: %s"), kind, e.msg);
	x->errors++;
out:
	free(buf);
	st_export_free(ex);
	return stop ? 1 : 0;
}

static void
pass(struct xc *x)
{
	struct err e;

	scan_inbox(x);
	if (!stop && st_outbox_each_to_export(x->db, one_export, x, &e) < 0) {
		say("%s", e.msg);
		x->errors++;
	}
	st_checkpoint(x->db);
}

static int
parse(int argc, char **argv, struct xc *x)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "inbox", required_argument, NULL, 'i' },
		{ "outbox", required_argument, NULL, 'o' },
		{ "user", required_argument, NULL, 'u' },
		{ "pin-file", required_argument, NULL, 'P' },
		{ "once", no_argument, NULL, '1' },
		{ "interval", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "tree", no_argument, NULL, 't' },
		{ "settle", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	memset(x, 0, sizeof(*x));
	x->user = "admin";
	x->interval = 10;
	x->settle = 2;
	x->o.format = XF_UPD;
	x->o.cp1251 = true;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': x->db_path = optarg; break;
		case 'i': x->inbox = optarg; break;
		case 'o': x->outbox = optarg; break;
		case 'u': x->user = optarg; break;
		case 'P': x->pin_file = optarg; break;
		case '1': x->once = true; break;
		case 't': x->o.tree = true; break;
		case 'j': x->json = true; break;
		case 's':
			x->settle = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || x->settle < 0)
				return cli_usage(_("--settle needs a number "
						   "of seconds"));
			break;
		case 'n':
			x->interval = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || x->interval < 1)
				return cli_usage(_("--interval needs a number "
						   "of seconds"));
			break;
		case 'f':
			if (xf_format_parse(optarg, &x->o.format) < 0)
				return cli_usage(_("exchange: --format is xml, "
						   "upd, csv or json"));
			break;
		default:
			return cli_usage(_("exchange: unknown option %s"),
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage(_("exchange takes no arguments: %s"),
				 argv[optind]);
	if (!x->db_path || !x->inbox || !x->outbox)
		return cli_usage(_("exchange needs --db PATH --inbox DIR "
				   "--outbox DIR"));
	return 0;
}

int
cmd_exchange(int argc, char **argv)
{
	struct sigaction sa;
	struct xc x;
	struct err e;
	char pin[64];
	int rc;

	if ((rc = parse(argc, argv, &x)) != 0)
		return rc;
	if (st_open(x.db_path, false, &x.db, &e) < 0)
		goto fail;
	if (cli_pin_read(x.pin_file, false, pin, sizeof(pin), &e) < 0 ||
	    st_login(x.db, x.user, pin, "exchange", &x.who, &e) < 0) {
		explicit_bzero(pin, sizeof(pin));
		goto fail;
	}
	explicit_bzero(pin, sizeof(pin));
	if (ensure_dir(x.outbox) < 0) {
		err_set(&e, ERR_IO, "cannot make the outbox %s: %s", x.outbox,
			strerror(errno));
		goto fail;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	stop = 0;
	for (;;) {
		pass(&x);
		if (x.once || stop)
			break;
		sleep((unsigned)x.interval);	/* a signal cuts it short */
		if (stop)
			break;
	}
	if (x.json)
		printf("{\"imported\":%d,\"refused\":%d,\"exported\":%d,"
		       "\"errors\":%d}\n", x.imported, x.refused, x.exported,
		       x.errors);
	else
		printf(_("exchange: imported %d, refused %d, exported %d, "
			 "errors %d\n"), x.imported, x.refused, x.exported,
		       x.errors);
	st_close(&x.db);
	return x.refused || x.errors ? CLI_FAIL : CLI_OK;
fail:
	fprintf(stderr, "sklad exchange: %s\n", e.msg);
	st_close(&x.db);
	return CLI_FAIL;
}
