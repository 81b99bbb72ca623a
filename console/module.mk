# console/: the program: subcommands, the poll loop, workflows, screens.
# main.o is linked into build/sklad only; the rest is an archive the tests
# link too.
console-y += console/cli.o console/cli_pin.o console/cmd_mark.o console/cmd_exec.o \
	console/exec_line.o \
	console/workflow.o console/wf_cmds.o
console-y += console/cmd_scanners.o
console-y += console/cmd_sync.o
# The console: loop, screens, scanner sources, feedback.
console-y += console/cmd_console.o console/loop.o console/keys.o
console-y += console/ui.o console/ui_screen.o console/ui_input.o
console-y += console/ui_sound.o console/ui_sync.o console/view_common.o
console-y += console/ui_job.o
console-y += console/view_login.o console/view_open.o
console-y += console/view_menu.o console/view_pack.o console/view_disband.o
console-y += console/view_accept.o console/view_ship.o
console-y += console/view_lookup.o console/view_outbox.o
console-y += console/view_scanners.o console/view_site.o console/view_help.o
console-y += console/cmd_deliveries.o
console-y += console/view_count.o
console-y += console/cmd_codes.o
console-y += console/cli_file.o console/cmd_stock.o console/cmd_catalogue.o \
	console/cmd_fetch.o
console-y += console/export_fmt.o console/cmd_export.o console/cmd_exchange.o
console-y += console/cmd_db.o console/cli_log.o
console-y += console/label_job.o console/cmd_label.o console/ui_label.o
