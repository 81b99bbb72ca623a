/*
 * test_upd: the УПД both ways on real SQLite files. A shipment (a pallet
 * of boxes, a mixed box, loose units of two GTINs, serials with <, &, "
 * scanned with GS and crypto tails) is exported as a seller title in
 * 5.03 and 5.01, UTF-8 and windows-1251 (ours, and iconv's), read back
 * by delivery import on the buyer's site: the same tree. Python's
 * xml.etree reads what we write (an independent reader). Hand-written
 * files: GS raw and as &#x1D;, CDATA, (00) and 20-digit SSCCs, units
 * listed before their pack. Refused: another buyer INN, a document type
 * (XXE), a buyer's title, a code listed twice, broken XML. A milk
 * site's shipment document goes 'exported'.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "console/export_fmt.h"
#include "store/db.h"
#include "tests/site_fx.h"

#define GS "\x1d"
#define G1 "0460043993125"	/* + check digit */
#define G2 "0460043993126"
#define BUYER "7722222222"

struct fx {
	struct site_fx a, b;	/* seller (7700000000), buyer (BUYER) */
	int64_t shipment;
	char pallet[32], box1[32], box2[32], mixed[32];
};

static void
sql(const char *path, const char *q)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, q, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", q, sqlite3_errmsg(h));
	sqlite3_close(h);
}

/* A unit scan of gtin13 with serial: 13 characters, a GS and a tail. */
static struct mark
unit(const char *gtin13, const char *serial, char *scan, size_t n)
{
	snprintf(scan, n, "01%s%d21%s" GS "91EE06" GS
		 "92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=", gtin13,
		 mark_check_digit(gtin13, 13), serial);
	return site_fx_parsed(scan);
}

static void
pack_units(struct fx *f, const char *sscc, const char *gtin,
	   const char *const *serials)
{
	struct st_pack p;
	char scan[160];
	struct err e;

	for (; *serials; serials++) {
		struct mark m = unit(gtin, *serials, scan, sizeof(scan));

		if (st_pack_scan(f->a.db, &f->a.op, sscc, &m, scan,
				 strlen(scan), &p, &e) != 0)
			fail_msg("pack %s: %s", *serials, e.msg);
	}
}

static void
open_box(struct fx *f, const char *parent, char *sscc)
{
	struct st_pack p;
	struct err e;

	assert_int_equal(st_pack_open(f->a.db, &f->a.op, ST_BOX, NULL, parent,
				      NULL, &p, &e), 0);
	strcpy(sscc, p.sscc);
}

static void
close_pack(struct fx *f, const char *sscc)
{
	struct st_pack p;
	struct err e;

	if (st_pack_close(f->a.db, &f->a.op, sscc, &p, &e) != 0)
		fail_msg("close %s: %s", sscc, e.msg);
}

/* The seller's shipment: pallet {box1 {2}, box2 {2}} of G1, a mixed box
 * {G1, G2}, a loose G2 unit (packed, then taken out). */
static int
setup(void **state)
{
	static const char *const s1[] = { "A<b&c\"d000001", "A<b&c\"d000002",
		NULL };
	static const char *const s2[] = { "B>&amp;000003", "B'q\"000000004",
		NULL };
	static const char *const m1[] = { "MIXED00000005", NULL };
	static const char *const m2[] = { "MIXED00000006", NULL };
	static const char *const l[] = { "LOOSE&0000007", NULL };
	struct fx *f = calloc(1, sizeof(*f));
	struct st_shipment s;
	struct st_pack p;
	char loose[32], scan[160];
	struct mark m;
	struct err e;

	site_fx_open(&f->a, NULL);
	site_fx_open(&f->b, NULL);
	st_close(&f->b.db);
	sql(f->b.path, "UPDATE site SET value = '" BUYER "' WHERE key ="
	    " 'inn'");
	assert_int_equal(st_open(f->b.path, false, &f->b.db, &e), 0);
	assert_int_equal(st_pack_open(f->a.db, &f->a.op, ST_PALLET, NULL, NULL,
				      NULL, &p, &e), 0);
	strcpy(f->pallet, p.sscc);
	open_box(f, f->pallet, f->box1);
	pack_units(f, f->box1, G1, s1);
	close_pack(f, f->box1);
	open_box(f, f->pallet, f->box2);
	pack_units(f, f->box2, G1, s2);
	close_pack(f, f->box2);
	close_pack(f, f->pallet);
	open_box(f, NULL, f->mixed);
	pack_units(f, f->mixed, G1, m1);
	pack_units(f, f->mixed, G2, m2);
	close_pack(f, f->mixed);
	open_box(f, NULL, loose);
	pack_units(f, loose, G2, l);
	close_pack(f, loose);
	m = unit(G2, l[0], scan, sizeof(scan));
	assert_int_equal(st_pack_take(f->a.db, &f->a.sup, loose, &m, &p, &e),
			 0);
	assert_int_equal(st_ship_open(f->a.db, &f->a.op, BUYER, "S-<1>&\"",
				      &s, &e), 0);
	f->shipment = s.id;
	m = site_fx_parsed(f->pallet);
	assert_int_equal(st_ship_scan(f->a.db, &f->a.op, s.id, &m, &s, &e), 0);
	m = site_fx_parsed(f->mixed);
	assert_int_equal(st_ship_scan(f->a.db, &f->a.op, s.id, &m, &s, &e), 0);
	m = unit(G2, l[0], scan, sizeof(scan));
	assert_int_equal(st_ship_scan(f->a.db, &f->a.op, s.id, &m, &s, &e), 0);
	assert_int_equal(st_ship_finish(f->a.db, &f->a.op, s.id, &s, &e), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int rc = site_fx_close(&f->a) | site_fx_close(&f->b);

	free(f);
	return rc;
}

/* --- helpers ----------------------------------------------------------- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* The export as a file at path. */
static void
write_export(const struct st_export *x, const struct xf_opts *o,
	     const char *path)
{
	FILE *fp = fopen(path, "wb");
	struct err e;

	assert_non_null(fp);
	if (xf_write(fp, x, o, &e) != 0)
		fail_msg("xf_write: %s", e.msg);
	fclose(fp);
}

/* "code<parent" of each node, sorted, joined by newlines (malloc'd);
 * tops only when tops_only. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
joined(char **v, size_t n)
{
	size_t i, len = 1;
	char *out;

	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	out = calloc(1, len);
	for (i = 0; i < n; i++) {
		strcat(out, v[i]);
		strcat(out, "\n");
		free(v[i]);
	}
	free(v);
	return out;
}

static char *
export_tree(const struct st_export *x, bool tops_only)
{
	char **v = calloc(x->n + 1, sizeof(*v));
	size_t i, k = 0;

	for (i = 0; i < x->n; i++) {
		const struct st_xnode *nd = &x->nodes[i];

		if (tops_only && nd->parent >= 0)
			continue;
		v[k] = malloc(256);
		snprintf(v[k++], 256, "%s<%s", nd->code, tops_only ||
			 nd->parent < 0 ? "" : x->nodes[nd->parent].code);
	}
	return joined(v, k);
}

/* The same of the buyer's newest delivery, as st_export_acceptance
 * reads it back. */
static char *
delivery_tree(struct fx *f, int64_t *id, bool tops_only)
{
	struct st_export *x;
	struct err e;
	char *out;

	assert_int_equal(st_export_acceptance(f->b.db, *id, &x, &e), 0);
	out = export_tree(x, tops_only);
	st_export_free(x);
	return out;
}

static int64_t
import_file(struct fx *f, const char *path, struct err *e)
{
	struct st_delivery d;
	size_t len;
	char *data = slurp(path, &len);
	int rc = st_delivery_import(f->b.db, &f->b.op, path, data, len, &d, e);

	free(data);
	return rc == 0 ? d.id : rc;
}

/* Python's xml.etree (not libxml2) reads path: how many КИЗ it holds,
 * and whether one of them is text exactly. */
static int
etree_kiz(const char *path, const char *text)
{
	char cmd[1024];
	FILE *p;
	int n = -1, has = 0;

	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -c 'import sys, "
		 "xml.etree.ElementTree as E\nt = E.parse(sys.argv[1])\n"
		 "k = [e.text for e in t.iter() if e.tag == \"КИЗ\"]\n"
		 "print(len(k), int(sys.argv[2] in k))' '%s' '%s'", path, text);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fscanf(p, "%d %d", &n, &has) != 2)
		n = -1;
	pclose(p);
	return has ? n : -n - 1000;
}

/* --- tests --------------------------------------------------------------- */

/* Every version and encoding: the buyer's delivery is the shipment's
 * tree, code for code, parent for parent. */
static void
test_round_trip(void **state)
{
	struct fx *f = *state;
	struct st_export *x;
	struct err e;
	char path[256], cmd[1400], *want, *got;
	int v, enc;
	int64_t id;

	assert_int_equal(st_export_shipment(f->a.db, f->shipment, &x, &e), 0);
	want = export_tree(x, false);
	/* 2 lines: G1 (pallet, the mixed box's G1 unit), G2 (the rest) */
	assert_int_equal(x->nlines, 2);
	assert_int_equal(x->lines[0].count, 5);
	assert_int_equal(x->lines[1].count, 2);
	assert_non_null(strstr(want, "010460043993125621A<b&c\"d000001<" ));
	for (v = 0; v < 2; v++) {
		for (enc = 0; enc < 3; enc++) {
			struct xf_opts o = { .format = XF_UPD, .tree = true,
					     .v501 = v == 1,
					     .cp1251 = enc == 1 };

			snprintf(path, sizeof(path), "%s/upd-%d-%d.xml",
				 f->a.dir, v, enc);
			write_export(x, &o, path);
			if (enc == 2) {
				/* windows-1251 made by iconv from UTF-8 */
				snprintf(cmd, sizeof(cmd), "sed 's/encoding="
					 "\"UTF-8\"/encoding=\"windows-1251\"/'"
					 " '%s' | iconv -f UTF-8 -t WINDOWS-1251"
					 " > '%s.cp' && mv '%s.cp' '%s'", path,
					 path, path, path);
				assert_int_equal(system(cmd), 0);
			}
			assert_int_equal(etree_kiz(path, "010460043993125621"
						   "A<b&c\"d000001"), 7);
			if ((id = import_file(f, path, &e)) <= 0)
				fail_msg("%s: %s", path, e.msg);
			got = delivery_tree(f, &id, false);
			assert_string_equal(got, want);
			free(got);
		}
	}
	/* the names and the header came along */
	{
		struct st_export *y;

		assert_int_equal(st_export_acceptance(f->b.db, id, &y, &e), 0);
		assert_string_equal(y->number, "S-<1>&\"");
		assert_string_equal(y->sender_inn, "7700000000");
		assert_string_equal(y->receiver_inn, BUYER);
		assert_int_equal(y->missing, 10);
		st_export_free(y);
	}
	free(want);
	st_export_free(x);
}

/* Without the tree: the highest aggregates only, and they come back. */
static void
test_flat(void **state)
{
	struct fx *f = *state;
	struct xf_opts o = { .format = XF_UPD, .cp1251 = true };
	struct st_export *x;
	struct err e;
	char path[256], *want, *got;
	int64_t id;

	assert_int_equal(st_export_shipment(f->a.db, f->shipment, &x, &e), 0);
	want = export_tree(x, true);
	snprintf(path, sizeof(path), "%s/flat.xml", f->a.dir);
	write_export(x, &o, path);
	assert_true((id = import_file(f, path, &e)) > 0);
	got = delivery_tree(f, &id, true);
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* the fragment for the ERP parses too */
	o.format = XF_XML;
	o.cp1251 = false;
	snprintf(path, sizeof(path), "%s/frag.xml", f->a.dir);
	write_export(x, &o, path);
	assert_int_equal(etree_kiz(path, "010460043993126321LOOSE&0000007"),
			 3);
	st_export_free(x);
}

static const char upd_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<Файл ИдФайл=\"ON_NSCHFDOPPR_x_y_20261201_g_0_1_0_0_0_00\" "
	"ВерсФорм=\"5.03\"><Документ КНД=\"1115131\" Функция=\"СЧФДОП\">"
	"<СвСчФакт НомерДок=\"77\" ДатаДок=\"01.12.2026\">"
	"<СвПрод><ИдСв><СвЮЛУч ИННЮЛ=\"7711111111\"/></ИдСв></СвПрод>"
	"<СвПокуп><ИдСв><СвЮЛУч ИННЮЛ=\"%s\"/></ИдСв></СвПокуп></СвСчФакт>"
	"<ТаблСчФакт><СведТов НомСтр=\"1\" НаимТов=\"Молоко &amp; сливки\" "
	"КолТов=\"3\"><ДопСведТов ГТИН=\"04600439931256\">%s</ДопСведТов>"
	"</СведТов></ТаблСчФакт></Документ></Файл>\n";

static int
import_text(struct fx *f, const char *inn, const char *block, int64_t *id,
	    struct err *e)
{
	char *text = malloc(strlen(upd_head) + strlen(block) + 64);
	struct st_delivery d;
	int rc;

	sprintf(text, upd_head, inn, block);
	rc = st_delivery_import(f->b.db, &f->b.op, "hand.xml", text,
				strlen(text), &d, e);
	*id = d.id;
	free(text);
	return rc;
}

/* What other writers send: GS raw and as a reference with the crypto
 * tail, CDATA, SSCC with (00) or 00, units before their box, several
 * НомУпак in one element. */
static void
test_hand_written(void **state)
{
	struct fx *f = *state;
	char name[256];
	struct err e;
	int64_t id;
	char *got;
	sqlite3 *h;
	sqlite3_stmt *st;

	if (import_text(f, BUYER,
			"<НомСредИдентТов ИдентТрансУпак=\"(00)046100000000000052\">"
			"<КИЗ>010460043993125621X&lt;&amp;&quot;000000001&#x1D;"
			"91EE06&#x1D;92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=</КИЗ>"
			"<КИЗ><![CDATA[010460043993125621X<&\"000000002]]></КИЗ>"
			"</НомСредИдентТов>"
			"<НомСредИдентТов><НомУпак>00046100000000000052</НомУпак>"
			"<НомУпак>046100000000000069</НомУпак></НомСредИдентТов>"
			"<НомСредИдентТов><КИЗ>010460043993125621X000000000003"
			"\x1d" "91EE06" "\x1d" "92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ss"
			"UlhbMMxdnA=</КИЗ></НомСредИдентТов>", &id, &e) != 0)
		fail_msg("hand-written: %s", e.msg);
	got = delivery_tree(f, &id, false);
	assert_string_equal(got,
		"010460043993125621X000000000003<\n"
		"010460043993125621X<&\"000000001<046100000000000052\n"
		"010460043993125621X<&\"000000002<046100000000000052\n"
		"046100000000000052<\n"
		"046100000000000069<\n");
	free(got);
	/* the line's name is kept for the catalogue */
	assert_int_equal(sqlite3_open(f->b.path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT name FROM"
		" delivery_lines WHERE gtin = '04600439931256'", -1, &st,
		NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
			    "Молоко & сливки");
	sqlite3_finalize(st);
	sqlite3_close(h);
	/* and the catalogue names the GTIN by it, where it had no name */
	assert_int_equal(st_product_name(f->b.db, "04600439931256", name,
					 sizeof(name)), 1);
	assert_string_equal(name, "Молоко & сливки");
}

static void
test_refused(void **state)
{
	struct fx *f = *state;
	struct st_delivery d;
	struct err e;
	int64_t id;
	const char *xxe =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE Файл [<!ENTITY x SYSTEM "
		"\"file:///etc/passwd\">]>\n<Файл ИдФайл=\"a\"><КИЗ>&x;</КИЗ>"
		"</Файл>";
	const char *buyer =
		"<?xml version=\"1.0\"?><Файл ИдФайл=\"ON_NSCHFDOPPOK_a\">"
		"<Документ КНД=\"1115132\"/></Файл>";

	assert_int_equal(import_text(f, "7733333333", "<НомСредИдентТов>"
				     "<КИЗ>010460043993125621X000000000003</КИЗ>"
				     "</НомСредИдентТов>", &id, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "another receiver: buyer INN "
			       "7733333333"));
	assert_int_equal(st_delivery_import(f->b.db, &f->b.op, "x.xml", xxe,
					    strlen(xxe), &d, &e), ERR_REFUSED);
	assert_null(strstr(e.msg, "root:"));
	assert_int_equal(st_delivery_import(f->b.db, &f->b.op, "b.xml", buyer,
					    strlen(buyer), &d, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "buyer's title"));
	assert_int_equal(import_text(f, BUYER, "<НомСредИдентТов><КИЗ>"
				     "010460043993125621X000000000003</КИЗ>"
				     "<КИЗ>010460043993125621X000000000003</КИЗ>"
				     "</НомСредИдентТов>", &id, &e),
			 ERR_REFUSED);
	assert_non_null(strstr(e.msg, "listed twice"));
	assert_int_equal(import_text(f, BUYER, "<НомСредИдентТов><КИЗ>"
				     "0104600439931256</НомСредИдентТов>",
				     &id, &e), ERR_REFUSED);
	assert_non_null(strstr(e.msg, "not a readable XML"));
	/* nothing of them was written */
	assert_int_equal(st_delivery_import(f->b.db, &f->b.op, "n.xml", "<a/>",
					    4, &d, &e), ERR_REFUSED);
}

/* Exported: a milk site's shipment document is no longer waiting. */
static void
test_exported_state(void **state)
{
	struct fx *f = *state;
	struct st_outbox_counts c;
	struct st_export *x;
	struct err e;

	assert_int_equal(st_outbox_count(f->a.db, &c, &e), 0);
	assert_int_equal(c.held, 1);
	assert_int_equal(c.failed, 0);
	assert_int_equal(st_export_shipment(f->a.db, f->shipment, &x, &e), 0);
	assert_true(x->document_id > 0);
	assert_int_equal(st_outbox_exported(f->a.db, x->document_id,
					    "/srv/out/s.xml", &e), 0);
	assert_int_equal(st_outbox_count(f->a.db, &c, &e), 0);
	assert_int_equal(c.held, 0);
	assert_int_equal(c.exported, 1);
	/* a document sync sends is never marked exported */
	assert_int_equal(st_outbox_exported(f->a.db, 1, "x", &e),
			 ERR_NOTFOUND);
	st_export_free(x);
}

/* A file of schema 3 (before 'exported'): the outbox is rebuilt, what
 * sync gave up as kept for export waits to be exported, nothing that
 * refers to the outbox is lost, foreign keys hold. */
static void
test_migration(void **state)
{
	struct fx *f = *state;
	char path[160], q[256];
	struct st_db *db = NULL;
	struct err e;
	sqlite3 *h;
	sqlite3_stmt *st;
	int v;

	(void)f;
	snprintf(path, sizeof(path), "%s/old.db", f->a.dir);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	for (v = 1; v <= 3; v++)
		assert_int_equal(sqlite3_exec(h, st_schema_migration(v), NULL,
					      NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
		"PRAGMA user_version = 3;"
		"INSERT INTO outbox(id, type, product_group, body, codes, state,"
		" last_error, created_at, updated_at, sendable) VALUES"
		" (1, 'LP_SHIP_GOODS', 'milk', '{}', 1, 'failed', 'kept for"
		" export', 'x', 'x', 0), (2, 'AGGREGATION_DOCUMENT', 'milk',"
		" '{}', 1, 'confirmed', NULL, 'x', 'x', 1);"
		"INSERT INTO codes(id, gtin_id, serial, kind) VALUES"
		" (1, 0, '046100000000000052', 5);"
		"INSERT INTO packs(code_id, level, state, opened_at, document_id)"
		" VALUES (1, 'box', 'confirmed', 'x', 2);"
		"INSERT INTO doc_codes(code_id, doc_id) VALUES (1, 2);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(st_open(path, false, &db, &e), 0);
	st_close(&db);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	snprintf(q, sizeof(q), "SELECT (SELECT state || coalesce(last_error,"
		 " '') FROM outbox WHERE id = 1), (SELECT count(*) FROM packs p"
		 " JOIN outbox o ON o.id = p.document_id), (SELECT count(*)"
		 " FROM doc_codes), (SELECT sql LIKE '%%exported%%' FROM"
		 " sqlite_master WHERE name = 'outbox')");
	assert_int_equal(sqlite3_prepare_v2(h, q, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
			    "pending");
	assert_int_equal(sqlite3_column_int(st, 1), 1);
	assert_int_equal(sqlite3_column_int(st, 2), 1);
	assert_int_equal(sqlite3_column_int(st, 3), 1);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA foreign_key_check", -1,
					    &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hand_written, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exported_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
