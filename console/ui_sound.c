/*
 * ui_sound: the sounds an operator cannot miss (ui.h).
 *
 * OK is one short beep; an error is three beeps 180 ms apart, played by
 * the loop's timer so nothing sleeps. With --sound-cmd the command runs
 * through /bin/sh with "ok" or "error" as its argument (for a speaker
 * the terminal bell cannot reach), without waiting for it; finished
 * commands are reaped on the next tick.
 *
 * What it must not do: block, sleep, or let a sound command write on
 * the screen (its stdin and stdout are /dev/null).
 */
#include <curses.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

#include "console/ui.h"
#include "scanners/evdev.h"

#define ERROR_BEEPS 3
#define ERROR_BEEP_GAP_MS 180

extern char **environ;

static void
run_sound_cmd(const struct ui *ui, const char *what)
{
	posix_spawn_file_actions_t fa;
	char script[1024];
	char *argv[] = { (char *)"sh", (char *)"-c", script,
			 (char *)"sklad-sound", (char *)what, NULL };
	pid_t pid;

	if (ui->opt.sound_cmd == NULL || ui->opt.sound_cmd[0] == '\0')
		return;
	/* The event is the command's last argument: CMD ok / CMD error. */
	snprintf(script, sizeof(script), "%s \"$1\"", ui->opt.sound_cmd);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
}

void
ui_sound_ok(struct ui *ui)
{
	ui->beeps_left = 0;
	beep();
	run_sound_cmd(ui, "ok");
}

void
ui_sound_error(struct ui *ui)
{
	beep();
	ui->beeps_left = ERROR_BEEPS - 1;
	ui->next_beep = ev_now_ms() + ERROR_BEEP_GAP_MS;
	run_sound_cmd(ui, "error");
}

void
ui_sound_tick(struct ui *ui, int64_t now_ms)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		;
	if (ui->beeps_left > 0 && now_ms >= ui->next_beep) {
		beep();
		ui->beeps_left--;
		ui->next_beep = now_ms + ERROR_BEEP_GAP_MS;
	}
}
