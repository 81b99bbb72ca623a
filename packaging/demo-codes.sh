# packaging/demo-codes.sh: the demo's codes, shared by run-demo.sh and
# demo-scan.sh (sourced, not run). Valid marking codes of one milk
# product (GTIN 04600439931256) with a crypto key and tail after GS; the
# supplier's box uses another company prefix.
#
# What it must not do: write anything; it only defines names.

GS=$(printf '\035')
DEMO_DIR=${SKLAD_DEMO_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/sklad-demo}
DEMO_DB="$DEMO_DIR/sklad.db"
DEMO_FIFO="$DEMO_DIR/scan.fifo"
# The supplier's box in the demo delivery (SSCC, check digit included).
DEMO_SUPPLIER_BOX=046100000000000052

# demo_code PREFIX N: a unit code with serial PREFIX + N (13 characters).
demo_code() {
	printf '010460043993125621%s%0*d%s91EE06%s92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=' \
		"$1" $((13 - ${#1})) "$2" "$GS" "$GS"
}
# Units in our own stock, to pack: unit 1, unit 2, ...
demo_unit() { demo_code DEMO "$1"; }
# Units of the demo delivery: 1-4 in the supplier's box, 5-6 loose.
demo_delivered() { demo_code DLV "$1"; }
