# tests/: cmocka programs (tests/unit/NAME.c -> build/tests/unit/NAME),
# libFuzzer targets (tests/fuzz/NAME.c) and benchmarks (tests/bench/NAME.c).
unit-tests += test_mark test_mark_props test_cli_mark
fuzz-targets += fuzz_mark
benches += bench_mark
unit-tests += test_keymap
unit-tests += test_sy_policy test_sy_wire test_sy_sign test_sy_http test_sy_api
unit-tests += test_wedge
fuzz-targets += fuzz_sy_wire
fuzz-targets += fuzz_keymap fuzz_wedge
benches += bench_keymap
unit-tests += test_evdev
unit-tests += test_st_rules test_st_pack
benches += bench_store
unit-tests += test_st_rules_accept test_st_accept
unit-tests += test_cli_scanners
unit-tests += test_st_crash test_st_power test_st_queue
unit-tests += test_st_ship test_st_deps test_st_doc_check
unit-tests += test_st_admin
unit-tests += test_exec
benches += bench_import
unit-tests += test_sy_sync test_sy_campaign
unit-tests += test_sy_runner
benches += bench_sync bench_campaign
fuzz-targets += fuzz_import
benches += bench_console
unit-tests += test_console
unit-tests += test_console_sync
unit-tests += test_st_doc
benches += bench_sync_doc
unit-tests += test_sy_incoming
unit-tests += test_st_accept_list test_st_import
unit-tests += test_sy_codes
unit-tests += test_accounts test_wf_cmds
fuzz-targets += fuzz_exec
$(O)/fuzz/fuzz_exec: console/exec_line.c console/workflow.c console/wf_cmds.c \
	console/export_fmt.c
unit-tests += test_st_open
unit-tests += test_st_stock
benches += bench_stock
unit-tests += test_st_catalogue
unit-tests += test_sy_stock
unit-tests += test_upd test_exchange
fuzz-targets += fuzz_stock
unit-tests += test_labels
benches += bench_label
# Long runs with figures (make soak): many stations on one store.
soaks += soak_site
