# console/: the program: subcommands, the poll loop, workflows, screens.
# main.o is linked into build/sklad only; the rest is an archive the tests
# link too.
console-y += console/cli.o console/cmd_mark.o console/cmd_exec.o \
	console/workflow.o
console-y += console/cmd_scanners.o
console-y += console/cmd_sync.o
