#!/usr/bin/python3
"""
emulator: a local HTTPS stand-in for Chestny ZNAK's True API, for tests.

What it is for: the peer of sync/ in the integration tests. It follows
/work/shared/reference/true-api.md (cited below as "ref §N") to the field
name, checks every request strictly, verifies GOST R 34.10-2012 CMS
signatures with `openssl cms -verify` and the gost engine, processes
documents asynchronously and injects faults on demand.

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


def now_iso(t=None):
	"""ISO 8601 UTC with milliseconds and Z (ref §13)."""
	if t is None:
		t = time.time()
	d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
	return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)


def parse_iso(s):
	"""yyyy-MM-ddTHH:mm:ss.SSS'Z' (ref §8) -> epoch seconds, or None."""
	try:
		d = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
	except (TypeError, ValueError):
		return None
	return d.replace(tzinfo=datetime.timezone.utc).timestamp()


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
		self.reject_next = None	# errors for the next created doc
		self.id_shape = "bare"	# bare | string | id | value
		self.token_shape = "token"	# answer field when not united
		self.auth401 = "xml"	# xml | json
		self.omit_content = False	# /info ignores body/content
		self.times = []		# arrival times, for the rate check
		self.rate_violations = 0


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


def check_body(dtype, doc, inn):
	"""Per-type checks of a MANUAL (JSON) body (ref §5.1, §5.3-§5.7)."""
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
		errs += need(doc, [("receiver_inn", str), ("transfer_date", str),
				   ("document_num", str), ("document_date", str),
				   ("turnover_type", str), ("products", list)], "")
		for i, p in enumerate(doc.get("products") or []):
			errs += need(p, [("uit_code", str)], "products[%d]." % i)
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
		for i, p in enumerate(doc.get("products") or []):
			w = "products[%d]." % i
			errs += need(p, [("accepted", bool)], w)
			if isinstance(p, dict) and \
			   ("uit_code" in p) == ("uitu_code" in p):
				errs.append(w + ": ровно одно из uit_code, "
					    "uitu_code")
		owner = doc.get("trade_recipient_inn")
	else:
		owner = inn
	if owner is not None and owner != inn:
		errs.append("ИНН документа не совпадает с ИНН подписанта")
	return errs


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
			errors = check_body(dtype, parsed, inn)
			status = "CHECKED_NOT_OK" if errors else "CHECKED_OK"
			# ref §5.6: a shipment then waits for its acceptance
			if status == "CHECKED_OK" and dtype == "LP_SHIP_GOODS":
				status = "WAIT_ACCEPTANCE"
		with st.lock:
			if st.reject_next is not None and not errors:
				errors, status = st.reject_next, "CHECKED_NOT_OK"
				st.reject_next = None
			d = {"id": str(uuid.uuid4()), "type": dtype, "pg": pg,
			     "format": fmt, "content": doc, "body": parsed,
			     "senderInn": inn, "receiverInn": None,
			     "received": now, "final": status,
			     "errors": errors, "input": False}
			st.docs.append(d)
			shape = st.id_shape
		if shape == "string":
			return self.send(200, json.dumps(d["id"]))
		if shape in ("id", "value"):
			return self.send(200, {shape: d["id"]})
		self.send(200, d["id"], "text/plain;charset=UTF-8")

	def status_of(self, d):
		st = self.server.state
		if time.time() - d["received"] < st.process_delay:
			return "IN_PROGRESS"
		return d["final"]

	def doc_view(self, d, body=False, content=False):
		st = self.server.state
		v = {"number": d["id"], "docDate": now_iso(d["received"]),
		     "receivedAt": now_iso(d["received"]), "type": d["type"],
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
		for k in ("body", "content"):
			v = self.q.get(k, ["false"])[0]
			if v not in ("true", "false"):
				return self.error(400, "Параметр %s требует "
						  "значение типа boolean" % k)
		with st.lock:
			d = next((x for x in st.docs if x["id"] == did), None)
		if d is None:
			return self.error(404, "Документ с указанным "
					  "идентификатором не найден")
		if inn not in (d["senderInn"], d["receiverInn"]):
			return self.error(403, "Отсутствует доступ к ресурсу")
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
		docs.sort(key=lambda d: (-d["received"], d["id"]))
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
			if lo is not None and not lo <= d["received"] <= hi:
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
		self.send(200, out)


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
			setattr(state, c["key"], c["value"])
		elif cmd == "cancel":	# both spellings exist (ref §6.2)
			for d in state.docs:
				if d["id"] == c["id"]:
					d["final"] = c.get("status", "CANCELLED")
					d["received"] = 0
		elif cmd == "reject_next":
			state.reject_next = c.get("errors", ["ERROR_1: отказ"])
		elif cmd == "add_cises":
			for ci in c.get("cises", []):
				state.cises[ci["cis"]] = ci
		elif cmd == "cises_seen":
			return {"ok": True, "sizes": list(state.cises_sizes)}
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
				state.docs.append(d)
				ids.append(d["id"])
			return {"ok": True, "id": ids[0], "ids": ids}
		elif cmd == "state":
			return {"ok": True,
				"docs": [{"id": d["id"], "type": d["type"],
					  "pg": d["pg"], "final": d["final"]}
					 for d in state.docs],
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
