#!/bin/sh
# A supplier's УПД (windows-1251, box + loose units, codes with < & ")
# imported at the ':' prompt, accepted with a missing unit and a surplus
# one, finished in part, and its result exported at the prompt: the file
# is read by Python's XML parser, the outbox shows the acceptance
# exported, the shipment-side codes carry no GS.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
BOX=$(sscc 7)
{
	printf '<?xml version="1.0" encoding="windows-1251"?>\n'
	printf '<Файл ИдФайл="ON_NSCHFDOPPR_a_b_20261201_g" ВерсФорм="5.03">'
	printf '<Документ КНД="1115131" Функция="СЧФДОП"><СвСчФакт '
	printf 'НомерДок="УПД-5" ДатаДок="%s">' "$(date -u +%d.%m.%Y)"
	printf '<СвПрод><ИдСв><СвЮЛУч ИННЮЛ="7700000002"/></ИдСв></СвПрод>'
	printf '<СвПокуп><ИдСв><СвЮЛУч ИННЮЛ="7700000001"/></ИдСв></СвПокуп>'
	printf '</СвСчФакт><ТаблСчФакт><СведТов НомСтр="1" '
	printf 'НаимТов="Молоко 3,2%%" КолТов="5"><ДопСведТов '
	printf 'ГТИН="04600439931256">'
	printf '<НомСредИдентТов ИдентТрансУпак="%s">' "$BOX"
	for i in 11 12 13; do printf '<КИЗ>%s</КИЗ>' "$(unit_ki $i)"; done
	printf '</НомСредИдентТов><НомСредИдентТов><НомУпак>%s</НомУпак>' "$BOX"
	printf '</НомСредИдентТов><НомСредИдентТов>'
	printf '<КИЗ>010460043993125621A&lt;&amp;&quot;000000014</КИЗ>'
	printf '<КИЗ>%s</КИЗ></НомСредИдентТов>' "$(unit_ki 15)"
	printf '</ДопСведТов></СведТов></ТаблСчФакт></Документ></Файл>\n'
} | iconv -f UTF-8 -t WINDOWS-1251 > "$T/upd.xml" || fail "iconv"
start
login operator 1111
keys F7
type_slowly "delivery import $T/upd.xml"
keys Enter
wait_for "Delivery 1 imported (УПД-5): 6 codes expected"
key 4
wait_for "Delivery number"
keys 1 Enter
wait_for "Missing: 6"
scan "$BOX"
wait_for "Matched: 4 codes"
scan "$(printf '010460043993125621A<&"000000014%s91EE06%s92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=' "$GS" "$GS")"
wait_for "Missing: 1"
scan "$(unit 99)"
wait_for "Not in this delivery (surplus): set it aside"
keys Enter
wait_for "Surplus: 1"
key p
wait_for "Finish in part: 1 missing code will be rejected. Finish?"
key y
wait_for "Acceptance finished in part"
key Escape
wait_for "main menu"
keys F7
type_slowly "export acceptance 1 $T/result.xml"
keys Enter
wait_for "Exported [0-9]* codes into"
/usr/bin/python3 - "$T/result.xml" <<'PY' || fail "the exported result does not read back"
import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
assert r.get('КодИтога') == '2', r.attrib
kiz = lambda tag: [k.text for k in r.find(tag).iter('КИЗ')]
assert '010460043993125621A<&"000000014' in kiz('accepted'), kiz('accepted')
assert kiz('rejected') == ['010460043993125621DEMO000000015'], kiz('rejected')
assert kiz('surplus') == ['010460043993125621DEMO000000099'], kiz('surplus')
PY
key 7
wait_for "Outbox"
wait_for "   1 [0-9.]* [0-9:]* Acceptance УПД-5 *exported"
keys Enter
wait_for "Exported into .*result.xml"
