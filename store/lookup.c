/*
 * lookup: read-only questions support engineers ask. Where is this code,
 * what happened to it, what sits in the outbox. Runs without a write
 * transaction, so it never waits for a writer (WAL readers don't).
 */
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pack.h"
#include "scanners/i18n.h"

/* The audit's name of action a ("pack_scan"), "unknown" if none. */
const char *
st_action_name(int a)
{
	switch (a) {
	case ST_ACT_LOGIN: return "login";
	case ST_ACT_USER_ADD: return "user_add";
	case ST_ACT_USER_LOCKED: return "user_locked";
	case ST_ACT_USER_UNLOCK: return "user_unlock";
	case ST_ACT_USER_PIN: return "user_pin";
	case ST_ACT_USER_DISABLE: return "user_disable";
	case ST_ACT_USER_ENABLE: return "user_enable";
	case ST_ACT_USER_LIST: return "user_list";
	case ST_ACT_PACK_OPEN: return "pack_open";
	case ST_ACT_PACK_SCAN: return "pack_scan";
	case ST_ACT_PACK_CLOSE: return "pack_close";
	case ST_ACT_PACK_DISBAND: return "pack_disband";
	case ST_ACT_PACK_TAKE: return "pack_take";
	case ST_ACT_PACK_PUT: return "pack_put";
	case ST_ACT_DELIVERY_IMPORT: return "delivery_import";
	case ST_ACT_ACCEPT_OPEN: return "accept_open";
	case ST_ACT_ACCEPT_SCAN: return "accept_scan";
	case ST_ACT_ACCEPT_FINISH: return "accept_finish";
	case ST_ACT_SHIP_OPEN: return "ship_open";
	case ST_ACT_SHIP_SCAN: return "ship_scan";
	case ST_ACT_SHIP_FINISH: return "ship_finish";
	case ST_ACT_SCAN_REFUSED: return "scan_refused";
	case ST_ACT_STOCK_LOAD: return "stock_load";
	case ST_ACT_CATALOGUE: return "catalogue";
	case ST_ACT_STOCK_COUNT: return "stock_count";
	case ST_ACT_OUTBOX_RETRY: return "outbox_retry";
	case ST_ACT_LABEL_QUEUE: return "label_queue";
	case ST_ACT_LABEL_CONFIRM: return "label_confirm";
	case ST_ACT_LABEL_VOID: return "label_void";
	case ST_ACT_LABEL_RETRY: return "label_retry";
	}
	return "unknown";
}

static const char *
kind_name(int kind)
{
	static const char *const names[] = {
		"unknown", "unit", "group", "set", "pack", "box", "pallet"
	};

	return kind >= 1 && kind <= 6 ? names[kind] : names[0];
}

static int
history(struct st_db *db, int64_t id, const char *text, bool pallet,
	int (*on_event)(void *arg, const struct st_event *ev), void *arg,
	struct err *e)
{
	static const char sql[] =
		"SELECT a.at, u.name, d.name, a.action, a.ok, p.serial,"
		" a.reason FROM audit a LEFT JOIN users u ON u.id = a.user_id"
		" LEFT JOIN devices d ON d.id = a.device_id"
		" LEFT JOIN codes p ON p.id = a.pack_id"
		" WHERE a.code_id = ?1 OR (a.action = 22 AND a.scan = ?2)"
		" ORDER BY a.id";
	/*
	 * A pallet's history also has the boxes put on it and taken off
	 * (their pack_open, pack_scan, pack_take, pack_put rows name the
	 * pallet as pack; the box is shown). audit has no index on pack_id (schema
	 * unchanged): the rows are read from the pallet's first record on,
	 * in rowid order.
	 */
	static const char pallet_sql[] =
		"SELECT a.at, u.name, d.name, a.action, a.ok, p.serial,"
		" a.reason, a.id FROM audit a"
		" LEFT JOIN users u ON u.id = a.user_id"
		" LEFT JOIN devices d ON d.id = a.device_id"
		" LEFT JOIN codes p ON p.id = a.pack_id"
		" WHERE a.code_id = ?1 OR (a.action = 22 AND a.scan = ?2)"
		" UNION ALL"
		" SELECT a.at, u.name, d.name, a.action, a.ok, c.serial,"
		" a.reason, a.id FROM audit a"
		" LEFT JOIN users u ON u.id = a.user_id"
		" LEFT JOIN devices d ON d.id = a.device_id"
		" JOIN codes c ON c.id = a.code_id"
		" WHERE a.id > (SELECT min(id) FROM audit WHERE code_id = ?1)"
		" AND a.pack_id = ?1 AND a.code_id <> ?1"
		" AND a.action IN (10, 11, 14, 15)"
		" ORDER BY 8";
	sqlite3_stmt *st = db_stmt(db, pallet ? pallet_sql : sql, e);
	struct st_event ev;
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	while ((rc = db_row(db, st, e, "history")) == 1) {
		memset(&ev, 0, sizeof(ev));
		db_text(st, 0, ev.at, sizeof(ev.at));
		db_text(st, 1, ev.user, sizeof(ev.user));
		db_text(st, 2, ev.device, sizeof(ev.device));
		ev.action = st_action_name(sqlite3_column_int(st, 3));
		ev.ok = sqlite3_column_int(st, 4) != 0;
		db_text(st, 5, ev.pack, sizeof(ev.pack));
		ev.reason = (const char *)sqlite3_column_text(st, 6);
		if (on_event(arg, &ev) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int
st_where_deliveries(struct st_db *db, const struct mark *m,
		    struct st_where_delivery *out, struct err *e)
{
	/* Driven by deliveries, so each probe uses the (delivery_id, ...)
	 * unique index. */
	static const char expected[] =
		"SELECT d.id, d.number, i.found FROM deliveries d"
		" JOIN delivery_items i ON i.delivery_id = d.id"
		" AND i.gtin_id = ?1 AND i.serial = ?2 ORDER BY d.id DESC"
		" LIMIT 1";
	static const char scanned[] =
		"SELECT d.id, s.verdict FROM deliveries d"
		" JOIN delivery_scans s ON s.delivery_id = d.id AND s.code = ?1"
		" ORDER BY s.id DESC LIMIT 1";
	struct pack_key k;
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pack_key(db, m, false, &k, e)) < 0)
		return rc;
	if (k.gtin_id >= 0) {
		if ((st = db_stmt(db, expected, e)) == NULL)
			return e->code;
		sqlite3_bind_int64(st, 1, k.gtin_id);
		sqlite3_bind_text(st, 2, k.serial, -1, SQLITE_STATIC);
		if ((rc = db_row(db, st, e, "expected")) == 1) {
			out->expected_in = sqlite3_column_int64(st, 0);
			db_text(st, 1, out->number, sizeof(out->number));
			out->found = sqlite3_column_int(st, 2) != 0;
		}
		sqlite3_reset(st);
		if (rc < 0)
			return rc;
	}
	if ((st = db_stmt(db, scanned, e)) == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, k.text, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "scanned")) == 1) {
		out->scanned_in = sqlite3_column_int64(st, 0);
		db_text(st, 1, out->verdict, sizeof(out->verdict));
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	return out->expected_in != 0 || out->scanned_in != 0;
}

/*
 * A code that is not stored (not in stock) but may have been scanned at
 * an acceptance: while that acceptance is open its scans are kept apart
 * (delivery_scans) until finish puts the matched ones into stock, yet
 * each was acknowledged to the operator. Such a code is an answer, state
 * "accepting" with the acceptance's scans as history; one scanned at an
 * acceptance that finished without taking it (surplus, a wrong product)
 * is not in stock, and the refusal says so instead of "never scanned".
 */
static int
where_acceptance(struct st_db *db, const struct pack_key *k,
		 struct st_where *out,
		 int (*on_event)(void *arg, const struct st_event *ev),
		 void *arg, struct err *e)
{
	static const char sql[] =
		"SELECT d.id, d.number, d.state, s.verdict FROM deliveries d"
		" JOIN delivery_scans s ON s.delivery_id = d.id AND s.code = ?1"
		" ORDER BY s.id DESC LIMIT 1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	char number[64] = "", state[16] = "", verdict[16] = "";
	int64_t id = 0;
	int rc;

	if (st == NULL)
		return e->code;
	sqlite3_bind_text(st, 1, k->text, -1, SQLITE_STATIC);
	if ((rc = db_row(db, st, e, "acceptance scan")) == 1) {
		id = sqlite3_column_int64(st, 0);
		db_text(st, 1, number, sizeof(number));
		db_text(st, 2, state, sizeof(state));
		db_text(st, 3, verdict, sizeof(verdict));
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, _("%s has never been scanned here."), k->text);
	if (strcmp(state, "accepting") != 0)
		return err_set(e, ERR_NOTFOUND, _("%s is not in stock: the acceptance of delivery "
			       "%lld (%s) scanned it as %s and did not take "
			       "it in."), k->text, (long long)id, number,
			       verdict);
	snprintf(out->code, sizeof(out->code), "%s", k->text);
	snprintf(out->kind, sizeof(out->kind), "%s", kind_name(k->kind));
	snprintf(out->state, sizeof(out->state), "accepting");
	snprintf(out->verdict, sizeof(out->verdict), "%s", verdict);
	out->accepting_in = id;
	return on_event != NULL ? history(db, 0, k->text, false, on_event,
					  arg, e) : 0;
}

int
st_where(struct st_db *db, const struct mark *m, struct st_where *out,
	 int (*on_event)(void *arg, const struct st_event *ev), void *arg,
	 struct err *e)
{
	static const char children[] =
		"SELECT count(*) FROM codes WHERE parent_id = ?1";
	struct pack_key k;
	struct pack_code c;
	struct pack_row p;
	int64_t at;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pack_key(db, m, false, &k, e)) < 0 ||
	    (rc = pack_load_code(db, &k, &c, e)) < 0)
		return rc;
	if (rc == 0)
		return where_acceptance(db, &k, out, on_event, arg, e);
	snprintf(out->code, sizeof(out->code), "%s", k.text);
	snprintf(out->gtin, sizeof(out->gtin), "%s", k.gtin);
	st_product_name(db, k.gtin, out->product, sizeof(out->product));
	snprintf(out->kind, sizeof(out->kind), "%s", kind_name(c.kind));
	snprintf(out->state, sizeof(out->state), "%s",
		 c.shipped ? "shipped" : "in_stock");
	if (c.kind >= PACK_KIND_BOX) {
		sqlite3_stmt *st;

		if ((rc = pack_load(db, NULL, c.id, &p, e)) < 0)
			return rc;
		if (rc == 1 && !c.shipped)
			snprintf(out->state, sizeof(out->state), "%s",
				 rules_state_name(p.state));
		if ((st = db_stmt(db, children, e)) == NULL)
			return e->code;
		sqlite3_bind_int64(st, 1, c.id);
		if (db_row(db, st, e, "children") == 1)
			out->children = sqlite3_column_int(st, 0);
		sqlite3_reset(st);
	}
	for (at = c.parent_id; at != 0 && out->nparents < ST_MAX_DEPTH;) {
		if ((rc = pack_load(db, NULL, at, &p, e)) <= 0)
			return rc < 0 ? rc : err_set(e, ERR_INTERNAL,
						     "dangling parent");
		snprintf(out->parents[out->nparents++], MARK_SSCC_LEN + 1,
			 "%s", p.sscc);
		at = p.parent_id;
	}
	return on_event != NULL ? history(db, c.id, k.text,
					  c.kind == PACK_KIND_PALLET, on_event,
					  arg, e) : 0;
}

/*
 * What a document is about, from the start of its body: the pack
 * (unitSerialNumber of an aggregation, uitu of a re- or disaggregation)
 * or the number of a transfer document (document_num, or document_number
 * in an acceptance). The bodies are
 * ours (doc.c): compact JSON, these keys before any long list.
 */
static void
doc_subject(const char *body, char *out, size_t n)
{
	static const char *const keys[] = {
		"\"unitSerialNumber\":\"", "\"uitu\":\"", "\"document_num\":\"",
		"\"document_number\":\"", NULL,
	};
	const char *p, *end;
	int i;

	out[0] = '\0';
	for (i = 0; body != NULL && keys[i] != NULL; i++) {
		if ((p = strstr(body, keys[i])) == NULL)
			continue;
		p += strlen(keys[i]);
		if ((end = strchr(p, '"')) == NULL)
			continue;
		snprintf(out, n, "%.*s", (int)(end - p), p);
		return;
	}
}

int
st_docs(struct st_db *db, int (*fn)(void *arg, const struct st_doc *d),
	void *arg, struct err *e)
{
	static const char sql[] =
		"SELECT o.id, o.type, o.state, o.codes, o.server_id,"
		" o.attempts, o.last_error, o.created_at,"
		" (SELECT min(x.waits_for) FROM outbox_deps x"
		"  WHERE x.doc_id = o.id),"
		" (SELECT min(x.waits_for) FROM outbox_deps x JOIN outbox d"
		"  ON d.id = x.waits_for WHERE x.doc_id = o.id"
		"  AND d.state <> 'confirmed'), o.sendable,"
		" CAST(substr(o.body, 1, 2048) AS TEXT),"
		" (SELECT min(x.waits_for) FROM outbox_deps x JOIN outbox d"
		"  ON d.id = x.waits_for WHERE x.doc_id = o.id"
		"  AND d.state IN ('rejected', 'failed')),"
		" o.exported_at, o.export_file"
		" FROM outbox o ORDER BY o.id";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	struct st_doc d;
	int rc;

	if (st == NULL)
		return e->code;
	while ((rc = db_row(db, st, e, "outbox")) == 1) {
		memset(&d, 0, sizeof(d));
		d.id = sqlite3_column_int64(st, 0);
		db_text(st, 1, d.type, sizeof(d.type));
		db_text(st, 2, d.state, sizeof(d.state));
		d.codes = sqlite3_column_int(st, 3);
		db_text(st, 4, d.server_id, sizeof(d.server_id));
		d.attempts = sqlite3_column_int(st, 5);
		db_text(st, 6, d.last_error, sizeof(d.last_error));
		db_text(st, 7, d.created_at, sizeof(d.created_at));
		d.depends_on = sqlite3_column_int64(st, 8);
		d.waits_for = sqlite3_column_int64(st, 9);
		d.held = sqlite3_column_int(st, 10) == 0;
		doc_subject((const char *)sqlite3_column_text(st, 11),
			    d.subject, sizeof(d.subject));
		d.blocked_by = sqlite3_column_int64(st, 12);
		db_text(st, 13, d.exported_at, sizeof(d.exported_at));
		db_text(st, 14, d.export_file, sizeof(d.export_file));
		if (fn(arg, &d) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc < 0 ? rc : 0;
}

int
st_doc_body(struct st_db *db, int64_t id, char **body, size_t *len,
	    struct err *e)
{
	static const char sql[] = "SELECT body FROM outbox WHERE id = ?1";
	sqlite3_stmt *st = db_stmt(db, sql, e);
	int rc;

	*body = NULL;
	*len = 0;
	if (st == NULL)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = db_row(db, st, e, "body")) == 1) {
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);

		*body = malloc((size_t)n + 1);
		if (*body != NULL) {
			memcpy(*body, b, (size_t)n);
			(*body)[n] = '\0';
			*len = (size_t)n;
		}
	}
	sqlite3_reset(st);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(e, ERR_NOTFOUND, "no document %lld",
			       (long long)id);
	return *body != NULL ? 0 : err_set(e, ERR_INTERNAL, "out of memory");
}
