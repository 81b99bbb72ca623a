#!/usr/bin/python3
"""
emulator: a local HTTPS stand-in for Chestny ZNAK's True API, for tests.

What it is for: the peer of sync/ in the integration tests. It follows
/work/shared/reference/true-api.md (cited below as "ref §N") to the field
name, checks every request strictly, verifies GOST R 34.10-2012 CMS
signatures with `openssl cms -verify` and the gost engine, processes
documents asynchronously and injects faults on demand. Its checks are
written from the reference, never from what the client sends: it is the
independent peer. By default a fresh document is not indexed for its
first read (ref §6.1), documents are processed in arrival order against
the codes earlier ones registered (ref §5.1-§5.7), and /cises/info
answers 404 when it knows none of the codes (ref §7).

What it must not do: listen anywhere but loopback, write keys outside the
work dir the caller gives (and removes), commit any key,
or depend on anything beyond Python's standard library and the openssl
command (with Debian's libengine-gost-openssl).

Usage:  emulator.py --workdir DIR [--process-delay S] [--token-ttl S]
                    [--fault JSON]...
At start it writes into DIR a throw-away TLS CA (ca.pem) and server
certificate for 127.0.0.1, and GOST signing keys and certificates for the
client (client256.key/.pem, client512.key/.pem, keys mode 0600), then prints
one line  READY {"port": N, "ca": ..., ...}  on stdout. Afterwards it reads
control commands from stdin, one JSON object per line, and answers each
with one JSON line; it exits when stdin closes. See README.md.
"""

import argparse
import base64
import binascii
import datetime
import http.server
import json
import os
import random
import re
import socket
import socketserver
import ssl
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

V3 = "/api/v3/true-api"
V4 = "/api/v4/true-api"
INN = "7700000001"		# INN in the client test certificates
MAX_DOC_BYTES = 30 * 1024 * 1024	# ref §4.3, §9.1
MAX_DOC_CODES = 30000			# ref §4.3, §9.1
MAX_CISES = 1000			# ref §7, §9.1
MAX_PRODUCT_GTINS = 100			# /product/info per request [I]
MAX_SEARCH_PAGE = 1000			# /cises/search perPage [I]
MAX_SEARCH_TOTAL = 10000		# /cises/search in all (ref §7)
MAX_LIST = 1000				# ref §8
DOC_TYPES = {				# ref §5 (the types sklad may send + a few)
	"AGGREGATION_DOCUMENT", "DISAGGREGATION_DOCUMENT",
	"REAGGREGATION_DOCUMENT", "LP_SHIP_GOODS", "LP_ACCEPT_GOODS",
	"SETS_AGGREGATION", "WRITE_OFF", "LP_RETURN", "LP_INTRODUCE_GOODS",
	"UNIVERSAL_TRANSFER_DOCUMENT", "UNIVERSAL_TRANSFER_DOCUMENT_FIX",
	"UNIVERSAL_CORRECTION_DOCUMENT", "UNIVERSAL_CORRECTION_DOCUMENT_FIX",
}
UPD_TYPES = {t for t in DOC_TYPES if t.startswith("UNIVERSAL_")}
FURS_ONLY = {"LP_SHIP_GOODS", "LP_ACCEPT_GOODS"}	# ref §5.6, §5.7
TOBACCO = {"tobacco", "otp", "ncp"}			# ref §4.2, §5.5
GROUPS = {"lp", "shoes", "tobacco", "perfumery", "tires", "electronics",
	  "milk", "bicycle", "wheelchairs", "alcohol", "otp", "water", "furs",
	  "beer", "ncp", "bio", "antiseptic", "petfood", "seafood", "nabeer",
	  "softdrinks", "vetpharma", "toys", "radio", "titan", "conserve",
	  "vegetableoil", "opticfiber", "chemistry", "books", "grocery",
	  "pharmaraw", "construction", "fire", "heater", "cableraw",
	  "autofluids", "polymer", "sweets", "carparts"}	# ref §4.4
OPENSSL = "openssl"
TURNOVER = {"SELLING", "COMMISSION", "AGENT"}		# ref §5.6, §5.7
SHIP_FIELDS = {"receiver_inn", "sender_inn", "transfer_date",	# ref §5.6
	       "document_num", "document_date", "turnover_type",
	       "to_not_participant", "products"}		# (TA553 table)
SHIP_PRODUCT_FIELDS = {"uit_code", "product_cost", "product_tax"}
SHIP_DATES = (						# ref §5.6
	(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}", "%Y-%m-%dT%H:%M:%S.%f"),
	(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", "%Y-%m-%dT%H:%M:%S"),
	(r"\d{2}\.\d{2}\.\d{4}", "%d.%m.%Y"),
	(r"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}", "%d.%m.%Y %H:%M"),
	(r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"),
)
AGG_PACKAGES = {"BOX", "SET", "GROUP", "BUNDLE", "ATK", "АТК", "LEVEL1",
		"LEVEL2", "LEVEL3", "LEVEL4", "LEVEL5"}	# ref §7
LIVE_CIS = {None, "APPLIED", "INTRODUCED"}		# ref §5.1
FIVE_YEARS = 5 * 365.25 * 86400				# ref §5.7


def now_iso(t=None):
	"""ISO 8601 UTC with milliseconds and Z (ref §13)."""
	if t is None:
		t = time.time()
	d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
	return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def parse_iso(s):
	"""yyyy-MM-ddTHH:mm:ss.SSS'Z' (ref §5.7, §8) -> epoch seconds, or
	None; exactly three digits of milliseconds and the Z."""
	if not isinstance(s, str) or not re.fullmatch(
	   r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", s):
		return None
	try:
		d = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
	except (TypeError, ValueError):
		return None
	return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def parse_ship_date(s):
	"""One of the five date formats of ref §5.6 (TA553) -> epoch seconds
	(read as UTC), or None: nothing else, not even a trailing Z."""
	if not isinstance(s, str):
		return None
	for rx, fmt in SHIP_DATES:
		if re.fullmatch(rx, s):
			try:
				d = datetime.datetime.strptime(s, fmt)
			except ValueError:
				return None
			return d.replace(
				tzinfo=datetime.timezone.utc).timestamp()
	return None


def is_inn(s):
	"""10 or 12 digits (ref §2.1)."""
	return isinstance(s, str) and re.fullmatch(r"\d{10}|\d{12}", s) \
		is not None


def run(args, data=None):
	p = subprocess.run(args, input=data, stdout=subprocess.PIPE,
			   stderr=subprocess.PIPE)
	return p.returncode, p.stdout, p.stderr


def make_keys(wd):
	"""TLS CA + server cert (P-256), GOST client keys and certs."""
	def ossl(*a):
		rc, out, err = run([OPENSSL] + list(a))
		if rc != 0:
			raise SystemExit("emulator: openssl %s failed: %s" %
					 (a[0], err.decode(errors="replace")))
	j = lambda n: os.path.join(wd, n)
	old = os.umask(0o077)
	try:
		ossl("req", "-x509", "-newkey", "ec", "-pkeyopt",
		     "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
		     j("ca.key"), "-out", j("ca.pem"), "-days", "2",
		     "-subj", "/CN=sklad test CA")
		ossl("req", "-newkey", "ec", "-pkeyopt",
		     "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
		     j("server.key"), "-out", j("server.csr"),
		     "-subj", "/CN=127.0.0.1")
		with open(j("server.ext"), "w") as f:
			f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n"
				"basicConstraints=CA:FALSE\n")
		ossl("x509", "-req", "-in", j("server.csr"), "-CA", j("ca.pem"),
		     "-CAkey", j("ca.key"), "-CAcreateserial", "-days", "2",
		     "-out", j("server.pem"), "-extfile", j("server.ext"))
		trust = b""
		for bits, md in (("256", "md_gost12_256"),
				 ("512", "md_gost12_512")):
			k, c = j("client%s.key" % bits), j("client%s.pem" % bits)
			ossl("genpkey", "-engine", "gost", "-algorithm",
			     "gost2012_" + bits, "-pkeyopt", "paramset:A",
			     "-out", k)
			ossl("req", "-engine", "gost", "-new", "-x509",
			     "-key", k, "-out", c, "-days", "2", "-" + md,
			     "-subj", "/CN=Test Warehouse %s/INN=%s" %
			     (bits, INN))
			os.chmod(k, 0o600)
			os.chmod(c, 0o600)
			with open(c, "rb") as f:
				trust += f.read()
		with open(j("trust.pem"), "wb") as f:
			f.write(trust)
	finally:
		os.umask(old)


def b64_strict(s):
	"""Decode base64 without line breaks (ref §3); None if invalid."""
	if not isinstance(s, str) or s == "" or "\n" in s or "\r" in s:
		return None
	try:
		return base64.b64decode(s, validate=True)
	except (binascii.Error, ValueError):
		return None


class State:
	"""Everything the emulator remembers; guarded by one lock."""

	def __init__(self, wd, process_delay, token_ttl):
		self.lock = threading.Lock()
		self.wd = wd
		self.process_delay = process_delay
		self.token_ttl = token_ttl
		self.reset()

	def reset(self):
		self.challenges = {}	# uuid -> data (single use, ref §2.1)
		self.tokens = {}	# token -> {"inn", "exp"}
		self.docs = []		# dicts, in arrival order
		self.faults = []	# pending fault rules
		self.log = []		# [method, path, status]
		self.cises = {}		# code -> cisInfo
		self.cises_sizes = []	# codes per /cises/info request
		self.products = {}	# gtin -> /product/info entry
		self.product_sizes = []	# GTINs per /product/info request
		self.search_pages = []	# pagination of each /cises/search
		self.reject_next = None	# errors for the next created doc
		self.id_shape = "bare"	# bare | string | id | value
		self.token_shape = "token"	# answer field when not united
		self.auth401 = "xml"	# xml | json
		self.omit_content = False	# /info ignores body/content
		self.times = []		# arrival times, for the rate check
		self.rate_violations = 0
		self.seq = 0		# creation order of documents
		# ref §6.1: "right after create, a 404 may mean not yet
		# indexed". A created document stays unindexed (404 on
		# /doc/{id}/info, absent from /doc/list) until it has been
		# missed by index_delay_reads reads AND is index_delay
		# seconds old; 0 and 0 turn this off.
		self.index_delay_reads = 1
		self.index_delay = 0.0
		# ref §7: per-code errors come inside a 200 or 404 array;
		# when no requested code is known the whole answer is 404.
		self.cises_all_unknown_status = 404
		# ref §5.1, §5.3, §5.4, §5.6: codes a document refers to must
		# exist (aggregates registered) when it is processed.
		self.check_dependencies = True
		self.aggregates = {}	# registered aggregate code -> owner INN
		self.agg_seen = set()	# codes seen as aggregates in any doc
		self.dissolved = set()	# aggregates a disaggregation dissolved


def verify_cms(state, sig, content=None):
	"""openssl cms -verify; returns (ok, signed bytes or None)."""
	with tempfile.TemporaryDirectory(dir=state.wd) as td:
		sp = os.path.join(td, "sig.der")
		with open(sp, "wb") as f:
			f.write(sig)
		args = [OPENSSL, "cms", "-verify", "-engine", "gost", "-binary",
			"-inform", "DER", "-in", sp, "-CAfile",
			os.path.join(state.wd, "trust.pem"), "-purpose", "any"]
		if content is not None:
			cp = os.path.join(td, "content")
			with open(cp, "wb") as f:
				f.write(content)
			args += ["-content", cp]
		rc, out, _ = run(args)
		if rc != 0:
			return False, None
		# CAdES-BES: signingTime and signingCertificateV2 (ref §3).
		rc, txt, _ = run([OPENSSL, "cms", "-cmsout", "-print",
				  "-inform", "DER", "-in", sp])
		t = txt.decode(errors="replace")
		if rc != 0 or "signingTime" not in t or \
		   "signingCertificateV2" not in t:
			return False, None
		if content is not None and "eContent: <ABSENT>" not in t:
			return False, None	# documents: detached only
		return True, out


def count_codes(doc):
	"""Codes listed in a document body (ref §4.3: sum of codes)."""
	n = 0
	if isinstance(doc, dict):
		for k, v in doc.items():
			if k in ("sntins",) and isinstance(v, list):
				n += len(v)
			elif k in ("unitSerialNumber", "uitu", "uit_code",
				   "uitu_code", "uit_uitu", "kitu", "ki"):
				n += 1
			else:
				n += count_codes(v)
	elif isinstance(doc, list):
		for v in doc:
			n += count_codes(v)
	return n


def empty_strings(doc, path="$"):
	"""Paths of "" values: optionals must be null or absent (ref §4.3)."""
	out = []
	if isinstance(doc, dict):
		for k, v in doc.items():
			out += empty_strings(v, path + "." + k)
	elif isinstance(doc, list):
		for i, v in enumerate(doc):
			out += empty_strings(v, "%s[%d]" % (path, i))
	elif doc == "":
		out.append(path)
	return out


def need(obj, fields, where):
	errs = []
	for f, t in fields:
		if not isinstance(obj, dict) or obj.get(f) is None:
			errs.append("Отсутствует обязательное поле: %s%s" %
				    (where, f))
		elif not isinstance(obj[f], t):
			errs.append("Поле %s%s имеет неверный тип" % (where, f))
	return errs


def unknown_fields(obj, allowed, where):
	"""A field outside the reference's table fails the document."""
	if not isinstance(obj, dict):
		return []
	return ["Неизвестное поле: %s%s" % (where, k)
		for k in sorted(set(obj) - allowed)]


def money(p, w):
	"""product_cost / product_tax: kopecks, 0-17 digits, cost > tax
	(ref §5.6)."""
	errs = []
	for k in ("product_cost", "product_tax"):
		v = p.get(k)
		if v is None:
			continue
		if isinstance(v, bool) or not isinstance(v, (int, float)) or \
		   v < 0 or len(str(int(v))) > 17:
			errs.append("%s%s: число копеек, 0-17 цифр" % (w, k))
	c, t = p.get("product_cost"), p.get("product_tax")
	if isinstance(c, (int, float)) and isinstance(t, (int, float)) and \
	   not isinstance(c, bool) and not isinstance(t, bool) and not c > t:
		errs.append(w + "product_cost должна быть больше product_tax")
	return errs


def accept_products(items, where, errs, seen):
	"""products[] / children[] of an acceptance (ref §5.7)."""
	for i, p in enumerate(items):
		w = "%s[%d]." % (where, i)
		if not isinstance(p, dict):
			errs.append(w + ": ожидался объект")
			continue
		errs += need(p, [("accepted", bool)], w)
		if ("uit_code" in p) == ("uitu_code" in p):
			errs.append(w + ": ровно одно из uit_code, uitu_code")
		code = p.get("uit_code", p.get("uitu_code"))
		if isinstance(code, str):
			if code in seen:
				errs.append(w + ": код %s указан дважды" % code)
			seen.add(code)
		if p.get("accepted") is False and \
		   ("product_cost" in p or "product_tax" in p):
			errs.append(w + ": product_cost/product_tax при "
				    "accepted=false не указываются")
		errs += money(p, w)
		ch = p.get("children")
		if ch is not None:
			if not isinstance(ch, list):
				errs.append(w + "children: ожидался массив")
			else:
				accept_products(ch, w + "children", errs, seen)


def check_body(dtype, doc, inn, now=None):
	"""Per-type checks of a MANUAL (JSON) body (ref §5.1, §5.3-§5.7);
	now: the time of receipt, for the date windows of ref §5.7."""
	if now is None:
		now = time.time()
	if not isinstance(doc, dict):
		return ["29: Недопустимый формат передаваемого файла JSON."]
	errs = ["Пустое значение необязательного поля: " + p
		for p in empty_strings(doc)]
	if dtype == "AGGREGATION_DOCUMENT":
		errs += need(doc, [("participantId", str),
				   ("aggregationUnits", list)], "")
		for i, u in enumerate(doc.get("aggregationUnits") or []):
			w = "aggregationUnits[%d]." % i
			errs += need(u, [("unitSerialNumber", str),
					 ("sntins", list)], w)
			if isinstance(u, dict):
				s = u.get("unitSerialNumber")
				if isinstance(s, str) and not 18 <= len(s) <= 74:
					errs.append(w + "unitSerialNumber: длина 18-74")
				at = u.get("aggregationType")
				if at is not None and at != "AGGREGATION":
					errs.append(w + "aggregationType")
		owner = doc.get("participantId")
	elif dtype == "DISAGGREGATION_DOCUMENT":
		errs += need(doc, [("participant_inn", str),
				   ("products_list", list)], "")
		for i, p in enumerate(doc.get("products_list") or []):
			errs += need(p, [("uitu", str)], "products_list[%d]." % i)
		owner = doc.get("participant_inn")
	elif dtype == "REAGGREGATION_DOCUMENT":
		errs += need(doc, [("participant_inn", str),
				   ("reaggregation_type", str), ("uitu", str),
				   ("uit_uitu_list", list)], "")
		if doc.get("reaggregation_type") not in (None, "REMOVING",
							 "ADDING"):
			errs.append("reaggregation_type: REMOVING или ADDING")
		for i, p in enumerate(doc.get("uit_uitu_list") or []):
			if not isinstance(p, dict) or \
			   ("uit_uitu" in p) == ("kitu" in p):
				errs.append("uit_uitu_list[%d]: ровно одно из "
					    "uit_uitu, kitu" % i)
		owner = doc.get("participant_inn")
	elif dtype == "LP_SHIP_GOODS":
		# ref §5.6: the 2025 (TA553) table and nothing else; TA16's
		# products[].uitu_code and product_description are gone.
		errs += need(doc, [("receiver_inn", str), ("transfer_date", str),
				   ("document_num", str), ("document_date", str),
				   ("turnover_type", str), ("products", list)], "")
		errs += unknown_fields(doc, SHIP_FIELDS, "")
		for k in ("receiver_inn", "sender_inn"):
			if isinstance(doc.get(k), str) and not is_inn(doc[k]):
				errs.append(k + ": ИНН из 10 или 12 цифр")
		for k in ("transfer_date", "document_date"):
			v = doc.get(k)
			if isinstance(v, str) and parse_ship_date(v) is None:
				errs.append("%s: недопустимый формат даты «%s» "
					    "(yyyy-MM-ddTHH:mm:ss.SSS, "
					    "yyyy-MM-ddTHH:mm:ss, dd.MM.yyyy, "
					    "dd.MM.yyyy HH:mm, yyyy-MM-dd)" % (k, v))
		if isinstance(doc.get("document_num"), str) and \
		   (len(doc["document_num"]) > 255 or
		    not doc["document_num"].strip()):
			errs.append("document_num: от 1 до 255 символов")
		if isinstance(doc.get("turnover_type"), str) and \
		   doc["turnover_type"] not in TURNOVER:
			errs.append("turnover_type: SELLING, COMMISSION или AGENT")
		if doc.get("to_not_participant") is not None and \
		   not isinstance(doc["to_not_participant"], bool):
			errs.append("Поле to_not_participant имеет неверный тип")
		if isinstance(doc.get("products"), list) and \
		   not doc["products"]:
			errs.append("products: пустой список")
		seen = set()
		for i, p in enumerate(doc.get("products") or []):
			w = "products[%d]." % i
			errs += need(p, [("uit_code", str)], w)
			errs += unknown_fields(p, SHIP_PRODUCT_FIELDS, w)
			if isinstance(p, dict):
				errs += money(p, w)
				c = p.get("uit_code")
				if c in seen:
					errs.append(w + "uit_code: код указан "
						    "дважды")
				seen.add(c)
		owner = doc.get("sender_inn", inn)
	elif dtype == "LP_ACCEPT_GOODS":
		errs += need(doc, [("release_order_number", str),
				   ("document_number", str),
				   ("document_date", str), ("transfer_date", str),
				   ("acceptance_date", str),
				   ("trade_sender_inn", str),
				   ("trade_recipient_inn", str),
				   ("turnover_type", str), ("products", list)], "")
		if doc.get("accept_all") and doc.get("reject_all"):
			errs.append("accept_all и reject_all одновременно")
		for k in ("accept_all", "reject_all"):
			if doc.get(k) is not None and \
			   not isinstance(doc[k], bool):
				errs.append("Поле %s имеет неверный тип" % k)
		for k in ("release_order_number", "document_number"):
			if isinstance(doc.get(k), str) and not doc[k].strip():
				errs.append("Пустое значение обязательного "
					    "поля: " + k)
		for k in ("trade_sender_inn", "trade_recipient_inn"):
			if isinstance(doc.get(k), str) and not is_inn(doc[k]):
				errs.append(k + ": ИНН из 10 или 12 цифр")
		if isinstance(doc.get("turnover_type"), str) and \
		   doc["turnover_type"] not in TURNOVER:
			errs.append("turnover_type: SELLING, COMMISSION или AGENT")
		# ref §5.7: document_date is a datetime
		# yyyy-MM-ddTHH:mm:ss.SSS'Z' within now-5y..now; the table
		# gives no other format, so the dates of transfer and of
		# acceptance are read the same way: transfer_date within
		# now-5y..tomorrow, acceptance_date within now-5y..now.
		for k, hi in (("document_date", now), ("transfer_date",
				now + 86400), ("acceptance_date", now)):
			v = doc.get(k)
			if not isinstance(v, str):
				continue
			t = parse_iso(v)
			if t is None:
				errs.append("%s: «%s» не в формате "
					    "yyyy-MM-ddTHH:mm:ss.SSS'Z'" % (k, v))
			elif not now - FIVE_YEARS <= t <= hi:
				errs.append("%s: «%s» вне допустимого "
					    "периода" % (k, v))
		if isinstance(doc.get("products"), list) and \
		   not doc["products"] and not doc.get("accept_all") and \
		   not doc.get("reject_all"):
			errs.append("products: пустой список без accept_all/"
				    "reject_all")
		if isinstance(doc.get("products"), list):
			accept_products(doc["products"], "products", errs,
					set())
		owner = doc.get("trade_recipient_inn")
	else:
		owner = inn
	if owner is not None and owner != inn:
		errs.append("ИНН документа не совпадает с ИНН подписанта")
	return errs


# ---- processing and dependencies (ref §4.2, §5.1, §5.3-§5.7) -------------
#
# A created document is processed when it is process_delay old, documents
# in the order they arrived, each against the state the earlier ones left:
# an aggregate exists once the CHECKED_OK document that formed it was
# processed, so a pallet processed before the box inside it is refused.
# The emulator does not know unit codes (КИ), so it checks only aggregate
# codes: 18 digits, or 00 and 18 digits (SSCC), codes that any document
# it saw used as an aggregate, and aggregates add_cises declared.


def listed(items, key="products"):
	"""Codes of an acceptance's products and their children, with
	accepted (ref §5.7): [(code, is_aggregate, accepted)]."""
	out = []
	for p in items if isinstance(items, list) else []:
		if not isinstance(p, dict):
			continue
		for k in ("uit_code", "uitu_code"):
			if isinstance(p.get(k), str):
				out.append((p[k], k == "uitu_code",
					    p.get("accepted") is True))
		out += listed(p.get("children"))
	return out


def agg_codes_of(dtype, b):
	"""Codes a document names as aggregates (being formed, dissolved,
	changed or carried)."""
	out = []
	if not isinstance(b, dict):
		return out
	if dtype in ("AGGREGATION_DOCUMENT", "SETS_AGGREGATION"):
		for u in b.get("aggregationUnits") or []:
			if isinstance(u, dict) and \
			   isinstance(u.get("unitSerialNumber"), str):
				out.append(u["unitSerialNumber"])
	elif dtype == "DISAGGREGATION_DOCUMENT":
		for p in b.get("products_list") or []:
			if isinstance(p, dict) and isinstance(p.get("uitu"), str):
				out.append(p["uitu"])
	elif dtype == "REAGGREGATION_DOCUMENT":
		if isinstance(b.get("uitu"), str):
			out.append(b["uitu"])
		for p in b.get("uit_uitu_list") or []:
			if isinstance(p, dict) and isinstance(p.get("kitu"), str):
				out.append(p["kitu"])
	elif dtype in ("LP_SHIP_GOODS", "LP_ACCEPT_GOODS"):
		for p in b.get("products") or []:
			if isinstance(p, dict) and \
			   isinstance(p.get("uitu_code"), str):
				out.append(p["uitu_code"])
		out += [c for c, agg, _ in listed(b.get("products")) if agg]
	return out


def see_document(st, d):
	"""Remember the aggregates a document names (at create; under lock).
	An incoming document is the sender's, already in the state system:
	its aggregates exist."""
	for c in agg_codes_of(d["type"], d["body"]):
		st.agg_seen.add(c)
		if d["input"]:
			st.aggregates.setdefault(c, d["senderInn"])


def aggregate_like(st, code):
	if not isinstance(code, str):
		return False
	if code.isdigit() and (len(code) == 18 or
			       (len(code) == 20 and code.startswith("00"))):
		return True
	if code in st.agg_seen:
		return True
	ci = st.cises.get(code) or {}
	return (ci.get("generalPackageType") or ci.get("packageType")) in \
		AGG_PACKAGES


def registered(st, code):
	"""The aggregate exists and is not dissolved (ref §5.1: APPLIED or
	INTRODUCED)."""
	if code in st.aggregates:
		return True
	ci = st.cises.get(code)
	return ci is not None and code not in st.dissolved and \
		ci.get("status") in LIVE_CIS


def dependency_errors(st, d):
	"""Why the state system refuses d now, [] if it does not."""
	b, t, inn = d["body"], d["type"], d["senderInn"]
	errs = []
	if not isinstance(b, dict):
		return errs

	def need_reg(code, where):
		if aggregate_like(st, code) and not registered(st, code):
			errs.append("%s: Код %s не зарегистрирован" %
				    (where, code))
	if t in ("AGGREGATION_DOCUMENT", "SETS_AGGREGATION"):
		# ref §5.1: the codes put inside must already exist
		for i, u in enumerate(b.get("aggregationUnits") or []):
			for j, c in enumerate((u or {}).get("sntins") or []):
				need_reg(c, "aggregationUnits[%d].sntins[%d]" %
					 (i, j))
	elif t == "DISAGGREGATION_DOCUMENT":		# ref §5.3
		for i, p in enumerate(b.get("products_list") or []):
			need_reg((p or {}).get("uitu"),
				 "products_list[%d].uitu" % i)
	elif t == "REAGGREGATION_DOCUMENT":		# ref §5.4
		need_reg(b.get("uitu"), "uitu")
		for i, p in enumerate(b.get("uit_uitu_list") or []):
			for k in ("uit_uitu", "kitu"):
				need_reg((p or {}).get(k),
					 "uit_uitu_list[%d].%s" % (i, k))
	elif t == "LP_SHIP_GOODS":
		# ref §5.6, §5.7, §8: goods shipped to us are ours only once
		# our acceptance of them is CHECKED_OK; until then (shipment
		# still WAIT_ACCEPTANCE, acceptance IN_PROGRESS or refused)
		# we cannot ship them on.
		pending, owned = set(), set()
		for a in st.docs:
			body = a["body"] if isinstance(a["body"], dict) else {}
			if a["input"] and a["type"].startswith("LP_SHIP_GOODS") \
			   and a["receiverInn"] == inn and \
			   a["final"] != "ACCEPTED":
				pending.update(c for c, _, _ in
					       listed(body.get("products")))
			if a["type"] != "LP_ACCEPT_GOODS" or a["input"] or \
			   a["senderInn"] != inn or a is d:
				continue
			ok = a["processed"] and a["final"] == "CHECKED_OK"
			for c, _, acc in listed(body.get("products")):
				if acc:
					(owned if ok else pending).add(c)
		for i, p in enumerate(b.get("products") or []):
			c = (p or {}).get("uit_code")
			if c in pending and c not in owned:
				errs.append("products[%d].uit_code: Код %s не "
					    "принадлежит отправителю: приёмка "
					    "не завершена" % (i, c))
	elif t == "LP_ACCEPT_GOODS":
		errs += acceptance_errors(st, d)
	return errs


def day_of(s):
	"""The UTC calendar day of a date in any format of ref §5.6/§5.7."""
	t = parse_iso(s)
	if t is None:
		t = parse_ship_date(s)
	if t is None:
		return None
	return datetime.datetime.fromtimestamp(
		t, datetime.timezone.utc).date()


def acceptance_errors(st, d):
	"""ref §5.7: release_order_number is the id of the shipment being
	accepted, which must wait for acceptance; transfer_date and
	turnover_type must equal the shipment's, products its list."""
	b, inn = d["body"], d["senderInn"]
	ro = b.get("release_order_number")
	s = next((x for x in st.docs if x["id"] == ro and x["input"] and
		  x["type"].startswith("LP_SHIP_GOODS") and
		  x["receiverInn"] == inn), None)
	if s is None:
		return ["release_order_number: документ отгрузки %s не "
			"найден" % ro]
	if s["final"] != "WAIT_ACCEPTANCE":
		return ["release_order_number: документ отгрузки %s в "
			"статусе %s" % (ro, s["final"])]
	sb = s["body"] if isinstance(s["body"], dict) else {}
	errs = []
	if isinstance(sb.get("turnover_type"), str) and \
	   b.get("turnover_type") != sb["turnover_type"]:
		errs.append("turnover_type: не совпадает с отгрузкой (%s)" %
			    sb["turnover_type"])
	if isinstance(sb.get("transfer_date"), str) and \
	   day_of(b.get("transfer_date")) != day_of(sb["transfer_date"]):
		errs.append("transfer_date: не совпадает с отгрузкой (%s)" %
			    sb["transfer_date"])
	top = lambda items: {p.get("uit_code", p.get("uitu_code"))
			     for p in items or [] if isinstance(p, dict)}
	if isinstance(sb.get("products"), list) and \
	   not b.get("accept_all") and not b.get("reject_all") and \
	   top(b.get("products")) != top(sb["products"]):
		errs.append("products: не совпадают со списком отгрузки")
	return errs


def apply_effects(st, d):
	"""What a CHECKED_OK document changes in the state system."""
	b, t = d["body"], d["type"]
	if d["final"] not in ("CHECKED_OK", "WAIT_ACCEPTANCE") or \
	   not isinstance(b, dict):
		return
	if t in ("AGGREGATION_DOCUMENT", "SETS_AGGREGATION"):
		for c in agg_codes_of(t, b):
			st.aggregates[c] = d["senderInn"]
			st.dissolved.discard(c)
	elif t == "DISAGGREGATION_DOCUMENT":	# ref §7: DISAGGREGATION
		for c in agg_codes_of(t, b):
			st.aggregates.pop(c, None)
			st.dissolved.add(c)
	elif t == "LP_ACCEPT_GOODS":		# ref §8 step 4
		for c, agg, acc in listed(b.get("products")):
			if agg and acc:
				st.aggregates[c] = d["senderInn"]
		for s in st.docs:
			if s["id"] == b.get("release_order_number") and \
			   s["final"] == "WAIT_ACCEPTANCE" and \
			   not b.get("reject_all"):
				s["final"] = "ACCEPTED"


def process_due(st):
	"""Process, in arrival order, every document whose time has come
	(under lock)."""
	now = time.time()
	due = [d for d in st.docs if not d["processed"] and
	       now - d["received"] >= st.process_delay]
	for d in sorted(due, key=lambda x: (x["received"], x["seq"])):
		d["processed"] = True
		try:
			if st.check_dependencies and \
			   d["final"] in ("CHECKED_OK", "WAIT_ACCEPTANCE"):
				errs = dependency_errors(st, d)
				if errs:
					d["final"] = "CHECKED_NOT_OK"
					d["errors"] = errs
			apply_effects(st, d)
		except Exception as e:	# an emulator bug, not the client's
			d["final"] = "PROCESSING_ERROR"		# ref §6.2
			d["errors"] = ["emulator: %r" % e]


def unindexed(st, d, kind):
	"""ref §6.1: is d still "not indexed yet"? Counts this read (kind:
	"index_404" for /info, "index_hidden" for /doc/list) if so."""
	if d.get("indexed", True):
		return False
	if d["index_404"] + d["index_hidden"] >= st.index_delay_reads and \
	   time.time() - d["created"] >= st.index_delay:
		d["indexed"] = True
		return False
	d[kind] += 1
	return True


class Handler(http.server.BaseHTTPRequestHandler):
	protocol_version = "HTTP/1.1"
	server_version = "emulator"

	def log_message(self, fmt, *a):
		pass

	# ---- plumbing ------------------------------------------------------

	def send(self, status, body=b"", ctype="application/json;charset=UTF-8",
		 headers=None):
		if isinstance(body, (dict, list)):
			body = json.dumps(body, ensure_ascii=False).encode()
		elif isinstance(body, str):
			body = body.encode()
		if getattr(self, "after", None) == "drop_after":
			self.after = None
			return self.drop()
		self.note(status)
		self.send_response(status)
		if body or status not in (204, 304):
			self.send_header("Content-Type", ctype)
		self.send_header("Content-Length", str(len(body)))
		for k, v in (headers or {}).items():
			self.send_header(k, v)
		self.end_headers()
		self.wfile.write(body)
		self.status = status

	def error(self, status, msg):
		self.send(status, {"error_message": msg})

	def unauthorized(self, why):
		st = self.server.state
		if st.auth401 == "json":
			self.send(401, {"error_message": "Токен не действителен. "
					"Необходимо получить новый токен "
					"аутентификации"})
		else:	# ref §9.3: historically XML
			self.send(401, "<InvalidTokenException><error>"
				  "invalid_token</error><error_description>%s"
				  "</error_description></InvalidTokenException>"
				  % why, "application/xml;charset=UTF-8")

	def note(self, status):
		"""Log the request once, before the client can see an answer,
		so that a test reading the log right after its answer finds
		it there."""
		self.status = status
		if not self.logged:
			self.logged = True
			st = self.server.state
			with st.lock:
				st.log.append([self.command, self.logpath, status])

	def drop(self):
		"""Close the connection without an answer."""
		self.note(0)
		self.close_connection = True
		try:
			self.connection.shutdown(socket.SHUT_RDWR)
		except OSError:
			pass

	def take_fault(self, path):
		st = self.server.state
		with st.lock:
			for f in st.faults:
				if f.get("path", "") in path and \
				   f.get("method", self.command) == self.command:
					f["count"] = f.get("count", 1) - 1
					if f["count"] <= 0:
						st.faults.remove(f)
					return dict(f)
		return None

	def body_json(self):
		"""The JSON request body, or None after answering 400."""
		if not self.raw:
			self.error(400, "Отсутствует тело запроса")
			return None
		ct = self.headers.get("Content-Type", "")
		if not ct.split(";")[0].strip() == "application/json":
			self.error(415, "Content-Type должен быть application/json")
			return None
		try:
			return json.loads(self.raw.decode("utf-8"))
		except (UnicodeDecodeError, ValueError) as e:
			self.error(400, "JSON parse error: %s" % e)
			return None

	def bearer(self):
		"""The caller's INN from a valid Bearer token, else None (401)."""
		st = self.server.state
		a = self.headers.get("Authorization", "")
		if not a.startswith("Bearer ") or len(a) <= 7:
			self.unauthorized("Full authentication is required")
			return None
		with st.lock:
			t = st.tokens.get(a[7:])
		if t is None:
			self.unauthorized("Invalid access token")
			return None
		if t["exp"] <= time.time():
			self.unauthorized("Access token expired: %s" %
					  now_iso(t["exp"]))
			return None
		return t["inn"]

	def handle_any(self):
		st = self.server.state
		n = int(self.headers.get("Content-Length") or 0)
		self.raw = self.rfile.read(n) if n > 0 else b""
		self.status = 0
		self.logged = False
		u = urllib.parse.urlsplit(self.path)
		self.q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
		path = self.logpath = u.path
		with st.lock:
			t = time.monotonic()
			st.times = [x for x in st.times if t - x < 1.0] + [t]
			if len(st.times) > 50:		# ref §9.1
				st.rate_violations += 1
			process_due(st)
		f = self.take_fault(path)
		try:
			self.route(path, f)
		finally:
			self.note(self.status)

	do_GET = handle_any
	do_POST = handle_any

	def route(self, path, f):
		self.after = None
		if f is not None:
			kind = f.get("kind", "status")
			if f.get("delay"):		# a slow answer
				time.sleep(f["delay"])
			if kind == "drop":		# before any processing
				return self.drop()
			if kind == "status":
				return self.send(f.get("status", 500),
						 f.get("body", ""),
						 f.get("ctype",
						       "application/json"),
						 f.get("headers"))
			if kind == "xml401":
				return self.send(401, "<UnauthorizedException>"
						 "<error>unauthorized</error>"
						 "<error_description>Full "
						 "authentication is required"
						 "</error_description>"
						 "</UnauthorizedException>",
						 "application/xml")
			# "drop_after": process (and record), then drop the
			# answer; "slow": only the delay above.
			self.after = kind
		# ref §9.3, §13: Accept must allow the answer, else 406 empty.
		acc = self.headers.get("Accept", "")
		if "*/*" not in acc and "application/json" not in acc:
			return self.send(406)
		routes = {
			("GET", V3 + "/auth/key"): self.auth_key,
			("POST", V3 + "/auth/simpleSignIn"): self.sign_in,
			("POST", V3 + "/lk/documents/create"): self.create,
			("GET", V4 + "/doc/list"): self.doc_list,
			("POST", V3 + "/cises/info"): self.cises_info,
			("GET", V4 + "/product/info"): self.product_info,
			("POST", V4 + "/cises/search"): self.cises_search,
		}
		h = routes.get((self.command, path))
		if h is None and self.command == "GET" and \
		   path.startswith(V4 + "/doc/") and path.endswith("/info"):
			h = self.doc_info
		if h is None:
			return self.error(404, "Метод с указанным URL не найден")
		h(path)

	# ---- auth (ref §2.1, §2.2) -----------------------------------------

	def auth_key(self, path):
		st = self.server.state
		u = str(uuid.uuid4())
		d = "".join(random.choice(string.ascii_uppercase)
			    for _ in range(30))
		with st.lock:
			st.challenges[u] = d
		self.send(200, {"uuid": u, "data": d})

	def sign_in(self, path):
		st = self.server.state
		b = self.body_json()
		if b is None:
			return
		if not isinstance(b, dict) or not b:
			return self.error(400, "Отсутствует тело запроса")
		allowed = {"uuid", "data", "inn", "details", "unitedToken"}
		if set(b) - allowed:
			return self.error(400, "Неизвестное поле: %s" %
					  sorted(set(b) - allowed)[0])
		united = b.get("unitedToken", False)
		if not isinstance(united, bool):
			return self.error(400, "Параметр unitedToken требует "
					  "значение типа boolean")
		if "inn" in b and united:
			return self.error(400, "inn и unitedToken=true вместе")
		if b.get("uuid") is None and not united:
			return self.error(400, "Отсутствует обязательное поле: uuid")
		if not isinstance(b.get("data"), str):
			return self.error(400, "Отсутствует обязательное поле: data")
		with st.lock:
			want = st.challenges.pop(b.get("uuid"), None)
		if b.get("uuid") is not None and want is None:
			return self.error(400, "UUID не найден в хранилище ключей")
		sig = b64_strict(b["data"])
		if sig is None:
			return self.error(400, "Ошибка при проверке подписи")
		ok, signed = verify_cms(st, sig)
		if not ok:
			return self.error(403, "Подпись не валидна")
		if want is not None and signed != want.encode():
			return self.error(400, "Ошибка при проверке подписи")
		tok = (base64.urlsafe_b64encode(os.urandom(12)).decode() + "." +
		       base64.urlsafe_b64encode(os.urandom(24)).decode())
		if united:
			tok = str(uuid.uuid4())
		with st.lock:
			st.tokens[tok] = {"inn": INN,
					  "exp": time.time() + st.token_ttl}
			shape = st.token_shape
		self.send(200, {"uuidToken" if united else shape: tok})

	# ---- documents (ref §4, §6) ----------------------------------------

	def create(self, path):
		st = self.server.state
		inn = self.bearer()
		if inn is None:
			return
		pg = self.q.get("pg", [None])[0]
		if not pg:
			return self.error(400, "Отсутствует обязательный "
					  "параметр: pg")
		if pg not in GROUPS:
			return self.error(400, "Неизвестная товарная группа: %s" % pg)
		b = self.body_json()
		if b is None:
			return
		if not isinstance(b, dict):
			return self.error(400, "JSON parse error: ожидался объект")
		for k in ("document_format", "product_document", "type",
			  "signature"):
			if b.get(k) is None:
				return self.error(400, "Отсутствует обязательное "
						  "поле: " + k)
			if not isinstance(b[k], str):
				return self.error(400, "Параметр %s требует "
						  "значение типа string" % k)
		allowed = {"document_format", "product_document", "type",
			   "signature", "second_product_document",
			   "second_signature", "signExt"}
		if set(b) - allowed:
			return self.error(400, "Неизвестное поле: %s" %
					  sorted(set(b) - allowed)[0])
		dtype, fmt = b["type"], b["document_format"]
		if fmt not in ("MANUAL", "XML", "CSV"):
			return self.error(400, "Недопустимый document_format")
		if dtype not in DOC_TYPES:
			return self.error(400, "Неизвестный тип документа: " + dtype)
		if (dtype in UPD_TYPES) != ("second_product_document" in b):
			return self.error(400, "second_product_document: "
					  "обязателен только для УПД/УКД")
		if pg in TOBACCO and not dtype.startswith("UNIVERSAL"):
			return self.error(400, "Метод не работает с товарной "
					  "группой табак")
		if dtype in FURS_ONLY and pg != "furs":
			return self.error(422, "%s недоступен для товарной "
					  "группы %s" % (dtype, pg))
		doc = b64_strict(b["product_document"])
		if doc is None:
			return self.error(400, "product_document: не base64")
		if len(doc) > MAX_DOC_BYTES:
			return self.error(413, "Размер документа превышает 30 МБ")
		parsed = None
		if fmt == "MANUAL":
			try:
				parsed = json.loads(doc.decode("utf-8"))
			except (UnicodeDecodeError, ValueError):
				parsed = None
			if parsed is not None and \
			   count_codes(parsed) > MAX_DOC_CODES:
				return self.error(400, "Количество кодов в "
						  "документе превышает 30000")
		sig = b64_strict(b["signature"])
		if sig is None or not verify_cms(st, sig, doc)[0]:
			return self.error(422, "Ошибка проверки подписи")
		now = time.time()
		if parsed is None:
			status, errors = "PARSE_ERROR", [
				"29: Недопустимый формат передаваемого файла "
				"JSON."]
		else:
			errors = check_body(dtype, parsed, inn, now)
			status = "CHECKED_NOT_OK" if errors else "CHECKED_OK"
			# ref §5.6: a shipment then waits for its acceptance
			if status == "CHECKED_OK" and dtype == "LP_SHIP_GOODS":
				status = "WAIT_ACCEPTANCE"
		with st.lock:
			if st.reject_next is not None and not errors:
				errors, status = st.reject_next, "CHECKED_NOT_OK"
				st.reject_next = None
			st.seq += 1
			d = {"id": str(uuid.uuid4()), "type": dtype, "pg": pg,
			     "format": fmt, "content": doc, "body": parsed,
			     "senderInn": inn, "receiverInn": None,
			     "received": now, "final": status,
			     "errors": errors, "input": False,
			     "seq": st.seq, "processed": False,
			     "created": now, "indexed": False,
			     "index_404": 0, "index_hidden": 0}
			if d["type"] == "LP_SHIP_GOODS" and \
			   isinstance(parsed, dict) and \
			   isinstance(parsed.get("receiver_inn"), str):
				d["receiverInn"] = parsed["receiver_inn"]
			st.docs.append(d)
			see_document(st, d)
			shape = st.id_shape
		if shape == "string":
			return self.send(200, json.dumps(d["id"]))
		if shape in ("id", "value"):
			return self.send(200, {shape: d["id"]})
		self.send(200, d["id"], "text/plain;charset=UTF-8")

	def status_of(self, d):
		return d["final"] if d["processed"] else "IN_PROGRESS"

	def doc_view(self, d, body=False, content=False):
		st = self.server.state
		v = {"number": d["id"], "docDate": now_iso(d["created"]),
		     "receivedAt": now_iso(d["created"]), "type": d["type"],
		     "status": self.status_of(d), "senderInn": d["senderInn"],
		     "senderName": None, "receiverInn": d["receiverInn"],
		     "receiverName": None, "invoiceNumber": None,
		     "relatedDocId": None, "input": d["input"],
		     "productGroup": [d["pg"]], "productGroupId": [1]}
		if v["status"] in ("CHECKED_NOT_OK", "PARSE_ERROR"):
			v["errors"] = d["errors"]
			v["commonErrors"] = [{"errorCode": "ERROR_%d" % (i + 1),
					      "errorMessage": e,
					      "errorObject": None}
					     for i, e in enumerate(d["errors"])]
		else:
			v["errors"] = None
		if st.omit_content:
			body = content = False
		if body:
			v["body"] = d["body"]
		if content:
			v["content"] = d["content"].decode("utf-8", "replace")
		return v

	def doc_info(self, path):
		st = self.server.state
		inn = self.bearer()
		if inn is None:
			return
		did = path[len(V4 + "/doc/"):-len("/info")]
		known = {"body", "content", "pg", "limit", "pageNumber"}
		if set(self.q) - known:		# ref §6.1
			return self.error(400, "Неизвестный параметр: %s" %
					  sorted(set(self.q) - known)[0])
		for k in ("body", "content"):
			v = self.q.get(k, ["false"])[0]
			if v not in ("true", "false"):
				return self.error(400, "Параметр %s требует "
						  "значение типа boolean" % k)
		for k in ("limit", "pageNumber"):
			v = self.q.get(k, [None])[0]
			if v is not None and not v.isdigit():
				return self.error(400, "Параметр %s требует "
						  "значение типа integer" % k)
		pg = self.q.get("pg", [None])[0]
		if pg is not None and pg not in GROUPS:
			return self.error(400, "Неизвестная товарная группа: %s"
					  % pg)
		nf = (404, "Документ с указанным идентификатором не найден")
		with st.lock:
			d = next((x for x in st.docs if x["id"] == did), None)
			if d is None:
				e = nf
			elif d["pg"] == "furs" and not pg:	# ref §6.1
				e = (400, "Отсутствует обязательный параметр: pg")
			elif pg is not None and pg != d["pg"]:
				e = nf
			elif inn not in (d["senderInn"], d["receiverInn"]):
				e = (403, "Отсутствует доступ к ресурсу")
			elif unindexed(st, d, "index_404"):	# ref §6.1
				e = nf
			else:
				e = None
		if e is not None:
			return self.error(*e)
		self.send(200, [self.doc_view(
			d, self.q.get("body", ["false"])[0] == "true",
			self.q.get("content", ["false"])[0] == "true")])

	def doc_list(self, path):
		"""v4 /doc/list (ref §8)."""
		st = self.server.state
		inn = self.bearer()
		if inn is None:
			return
		q = {k: v for k, v in self.q.items()}
		one = lambda k: q.get(k, [None])[0]
		known = {"pg", "senderInn", "receiverInn", "dateFrom", "dateTo",
			 "documentFormat", "documentStatus", "documentType",
			 "number", "limit", "did", "orderedColumnValue",
			 "pageDir", "order"}
		if set(q) - known:
			return self.error(400, "Неизвестный параметр: %s" %
					  sorted(set(q) - known)[0])
		if not one("pg"):
			return self.error(400, "Отсутствует обязательный "
					  "параметр: pg")
		if (one("senderInn") is None) == (one("receiverInn") is None):
			return self.error(400, "Укажите senderInn или receiverInn")
		if (one("dateFrom") is None) != (one("dateTo") is None):
			return self.error(400, "dateFrom и dateTo указываются "
					  "вместе")
		lo = hi = None
		if one("dateFrom") is not None:
			lo, hi = parse_iso(one("dateFrom")), parse_iso(one("dateTo"))
			if lo is None or hi is None:
				return self.error(400, "Параметр dateFrom/dateTo: "
						  "yyyy-MM-ddTHH:mm:ss.SSSZ")
		try:
			limit = int(one("limit") or 50)
		except ValueError:
			return self.error(400, "Параметр limit требует значение "
					  "типа integer")
		if not 1 <= limit <= MAX_LIST:
			return self.error(400, "limit: от 1 до 1000")
		types = q.get("documentType", [])
		with st.lock:
			docs = list(st.docs)
		docs.sort(key=lambda d: (-d["created"], d["id"]))
		res = []
		for d in docs:
			if d["pg"] != one("pg"):
				continue
			if one("senderInn") is not None and \
			   d["senderInn"] != one("senderInn"):
				continue
			if one("receiverInn") is not None and \
			   d["receiverInn"] != one("receiverInn"):
				continue
			if lo is not None and not lo <= d["created"] <= hi:
				continue
			if types and d["type"] not in types:
				continue
			if one("number") and d["id"] != one("number"):
				continue
			if one("documentStatus") and \
			   self.status_of(d) != one("documentStatus"):
				continue
			if inn not in (d["senderInn"], d["receiverInn"]):
				continue
			res.append(d)
		with st.lock:		# ref §6.1: not indexed yet
			res = [d for d in res
			       if not unindexed(st, d, "index_hidden")]
		if one("did") and not one("number"):
			ids = [d["id"] for d in res]
			if one("did") not in ids:
				return self.error(400, "did не найден")
			i = ids.index(one("did"))
			res = res[i + 1:] if one("pageDir") != "PREV" else \
				res[:i]
		page = res[:limit]
		self.send(200, {"results": [self.doc_view(d) for d in page],
				"nextPage": len(res) > limit})

	def cises_info(self, path):
		"""v3 /cises/info (ref §7)."""
		st = self.server.state
		if self.bearer() is None:
			return
		pg = self.q.get("pg", [None])[0]	# ref §7: [?pg=…]
		if set(self.q) - {"pg"}:
			return self.error(400, "Неизвестный параметр: %s" %
					  sorted(set(self.q) - {"pg"})[0])
		if pg is not None and pg not in GROUPS:
			return self.error(400, "Неизвестная товарная группа: %s"
					  % pg)
		b = self.body_json()
		if b is None:
			return
		if isinstance(b, list):
			with st.lock:
				st.cises_sizes.append(len(b))
		if not isinstance(b, list) or not b:
			return self.error(400, "Список кодов пуст")
		if len(b) > MAX_CISES:
			return self.error(400, "Не более 1000 кодов в запросе")
		if not all(isinstance(c, str) and c for c in b):
			return self.error(400, "Коды должны быть строками")
		out = []
		for c in b:
			if c.startswith("("):	# ref §4.3: no brackets
				out.append({"cisInfo": {"requestedCis": c},
					    "errorMessage": "Неверный формат КИ",
					    "errorCode": "400"})
				continue
			with st.lock:
				info = st.cises.get(c)
			if info is None:
				out.append({"cisInfo": {"requestedCis": c},
					    "errorMessage": "КИ не найден",
					    "errorCode": "404"})
			else:
				ci = dict(info)
				ci.setdefault("cis", c)
				ci["requestedCis"] = c
				out.append({"cisInfo": ci})
		# ref §7: per-code errors come inside a 200 or 404 array; when
		# not one requested code is known the array comes with 404.
		status = 200
		if all("errorCode" in x for x in out):
			with st.lock:
				status = st.cises_all_unknown_status
		self.send(status, out)


	def product_info(self, path):
		"""v4 /product/info (ref §1; the rest [I], see README.md)."""
		st = self.server.state
		if self.bearer() is None:
			return
		extra = set(self.q) - {"gtins", "pg"}
		if extra:
			return self.error(400, "Неизвестный параметр: %s" %
					  sorted(extra)[0])
		raw = ",".join(self.q.get("gtins", []))
		if not raw:
			return self.error(400, "Отсутствует обязательный "
					  "параметр: gtins")
		gtins = raw.split(",")
		with st.lock:
			st.product_sizes.append(len(gtins))
		if len(gtins) > MAX_PRODUCT_GTINS:
			return self.error(400, "Не более %d GTIN в запросе" %
					  MAX_PRODUCT_GTINS)
		if not all(len(g) == 14 and g.isdigit() for g in gtins):
			return self.error(400, "Параметр gtins требует значение "
					  "типа GTIN (14 цифр)")
		with st.lock:
			res = [dict(st.products[g]) for g in gtins
			       if g in st.products]
		self.send(200, {"results": res, "total": len(res),
				"errorCode": None})

	def cises_search(self, path):
		"""v4 /cises/search (ref §7; field names [I], README.md)."""
		st = self.server.state
		inn = self.bearer()
		if inn is None:
			return
		if self.q:
			return self.error(400, "Неизвестный параметр: %s" %
					  sorted(self.q)[0])
		b = self.body_json()
		if b is None:
			return
		if not isinstance(b, dict) or set(b) - {"filter", "pagination"}:
			return self.error(400, "Допустимы только filter и "
					  "pagination")
		f, p = b.get("filter"), b.get("pagination")
		if not isinstance(f, dict) or not isinstance(p, dict):
			return self.error(400, "Отсутствует обязательный "
					  "параметр: filter")
		bad = set(f) - {"productGroups", "states", "gtins",
				"packageTypes"}
		bad |= set(p) - {"perPage", "lastEmissionDate", "sgtin",
				 "direction"}
		if bad:
			return self.error(400, "Неизвестное поле: %s" %
					  sorted(bad)[0])
		per = p.get("perPage")
		if not isinstance(per, int) or not 1 <= per <= MAX_SEARCH_PAGE:
			return self.error(400, "perPage: от 1 до %d" %
					  MAX_SEARCH_PAGE)
		if p.get("direction", 0) not in (0, 1):
			return self.error(400, "direction: 0 или 1")
		if ("lastEmissionDate" in p) != ("sgtin" in p):
			return self.error(400, "lastEmissionDate и sgtin "
					  "передаются вместе")
		pgs = f.get("productGroups")
		if pgs is not None and (not isinstance(pgs, list) or
					not all(g in GROUPS for g in pgs)):
			return self.error(400, "Неизвестная товарная группа")
		states = [x.get("status") for x in f.get("states", [])
			  if isinstance(x, dict)]
		with st.lock:
			st.search_pages.append(dict(p))
			own = sorted((c for c in st.cises.values()
				      if c.get("ownerInn") == inn and
				      (not pgs or c.get("productGroup", pgs[0])
				       in pgs) and
				      (not states or
				       c.get("status", "INTRODUCED") in states)),
				     key=lambda c: (c.get("emissionDate", ""),
						    c["cis"]))
		start = 0
		if "sgtin" in p:
			key = (p["lastEmissionDate"], p["sgtin"])
			start = len([c for c in own if
				     (c.get("emissionDate", ""), c["cis"]) <=
				     key])
		# ref §7: no more than 10 000 codes in all with paging
		if start >= MAX_SEARCH_TOTAL:
			return self.error(400, "Превышено количество КИ в "
					  "выборке: не более %d" %
					  MAX_SEARCH_TOTAL)
		end = min(start + per, len(own), MAX_SEARCH_TOTAL)
		page = [{"cis": c["cis"], "gtin": c.get("gtin"),
			 "status": c.get("status", "INTRODUCED"),
			 "packageType": c.get("packageType", "UNIT"),
			 "parent": c.get("parent"),
			 "emissionDate": c.get("emissionDate", ""),
			 "ownerInn": inn} for c in own[start:end]]
		self.send(200, {"result": page, "isLastPage": end >= len(own)})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
	daemon_threads = True
	allow_reuse_address = True

	def get_request(self):
		sock, addr = self.socket.accept()
		return sock, addr

	def finish_request(self, request, client_address):
		try:
			conn = self.ctx.wrap_socket(request, server_side=True)
		except (ssl.SSLError, OSError):
			return
		try:
			self.RequestHandlerClass(conn, client_address, self)
		except (ssl.SSLError, OSError, ConnectionError):
			pass


SETTABLE = {"id_shape", "token_shape", "auth401", "omit_content",
	    "process_delay", "token_ttl", "index_delay_reads", "index_delay",
	    "cises_all_unknown_status", "check_dependencies"}


def control(state, line):
	"""One control command (see README.md) -> reply dict."""
	try:
		c = json.loads(line)
	except ValueError:
		return {"ok": False, "error": "bad json"}
	cmd = c.get("cmd")
	with state.lock:
		if cmd == "fault":
			c.pop("cmd")
			state.faults.append(c)
		elif cmd == "reset":
			state.reset()
		elif cmd == "expire_tokens":
			for t in state.tokens.values():
				t["exp"] = time.time() - 1
		elif cmd == "set":
			if c.get("key") not in SETTABLE:
				return {"ok": False, "error": "unknown key"}
			setattr(state, c["key"], c["value"])
		elif cmd == "cancel":	# both spellings exist (ref §6.2)
			for d in state.docs:
				if d["id"] == c["id"]:
					d["final"] = c.get("status", "CANCELLED")
					d["processed"] = True
		elif cmd == "reject_next":
			state.reject_next = c.get("errors", ["ERROR_1: отказ"])
		elif cmd == "add_cises":
			for ci in c.get("cises", []):
				state.cises[ci["cis"]] = ci
		elif cmd == "cises_seen":
			return {"ok": True, "sizes": list(state.cises_sizes)}
		elif cmd == "add_products":
			for p in c.get("products", []):
				state.products[p["gtin"]] = p
		elif cmd == "products_seen":
			return {"ok": True, "sizes": list(state.product_sizes)}
		elif cmd == "search_seen":
			return {"ok": True, "pages": list(state.search_pages)}
		elif cmd == "add_incoming":
			ids = []
			for k in range(c.get("count", 1)):
				d = {"id": c.get("id", str(uuid.uuid4())),
				     "type": c.get("type", "LP_SHIP_GOODS"),
				     "pg": c.get("pg", "furs"),
				     "format": "MANUAL",
				     "content": json.dumps(c.get("body")).encode(),
				     "body": c.get("body"),
				     "senderInn": c.get("senderInn", "7700000002"),
				     "receiverInn": INN,
				     "received": time.time() - k * 0.001,
				     "final": c.get("status", "WAIT_ACCEPTANCE"),
				     "errors": [], "input": True}
				state.seq += 1
				d.update(seq=state.seq, processed=True,
					 created=d["received"], indexed=True,
					 index_404=0, index_hidden=0)
				state.docs.append(d)
				see_document(state, d)
				ids.append(d["id"])
			return {"ok": True, "id": ids[0], "ids": ids}
		elif cmd == "state":
			process_due(state)
			return {"ok": True,
				"docs": [{"id": d["id"], "type": d["type"],
					  "pg": d["pg"], "final": d["final"],
					  "status": d["final"] if d["processed"]
					  else "IN_PROGRESS",
					  "errors": d["errors"],
					  "input": d["input"],
					  "indexed": d["indexed"],
					  "index_404": d["index_404"],
					  "index_hidden": d["index_hidden"]}
					 for d in state.docs],
				"aggregates": sorted(state.aggregates),
				"log": state.log,
				"faults": len(state.faults),
				"rate_violations": state.rate_violations,
				"tokens": len(state.tokens)}
		else:
			return {"ok": False, "error": "unknown cmd"}
	return {"ok": True}


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--workdir", required=True)
	ap.add_argument("--process-delay", type=float, default=0.3)
	ap.add_argument("--token-ttl", type=float, default=10 * 3600)
	ap.add_argument("--fault", action="append", default=[])
	ap.add_argument("--no-keys", action="store_true",
			help="reuse the keys already in --workdir")
	a = ap.parse_args()
	wd = os.path.abspath(a.workdir)
	if not a.no_keys:
		make_keys(wd)
	state = State(wd, a.process_delay, a.token_ttl)
	for f in a.fault:
		state.faults.append(json.loads(f))
	srv = Server(("127.0.0.1", 0), Handler)
	srv.state = state
	srv.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	srv.ctx.load_cert_chain(os.path.join(wd, "server.pem"),
				os.path.join(wd, "server.key"))
	port = srv.server_address[1]
	th = threading.Thread(target=srv.serve_forever, daemon=True)
	th.start()
	info = {"port": port, "ca": os.path.join(wd, "ca.pem"),
		"v3": "https://127.0.0.1:%d%s" % (port, V3),
		"v4": "https://127.0.0.1:%d%s" % (port, V4), "inn": INN}
	sys.stdout.write("READY " + json.dumps(info) + "\n")
	sys.stdout.flush()
	for line in sys.stdin:
		line = line.strip()
		if not line:
			continue
		sys.stdout.write(json.dumps(control(state, line),
					    ensure_ascii=False) + "\n")
		sys.stdout.flush()
	srv.shutdown()


if __name__ == "__main__":
	main()
