#!/bin/sh
# The Russian console: LANGUAGE=ru with a UTF-8 locale.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
UI_ENV="LANGUAGE=ru LC_ALL=C.UTF-8"
start
wait_for "Вход"
keys operator Enter 9999 Enter
wait_for "ОШИБКА"
keys Enter
keys operator Enter 1111 Enter
wait_for "Главное меню"
key 1
wait_for "Короб не открыт"
key n
wait_for "Короб 046004390000000013"
scan "$(unit 1)"
wait_for "1 в 046004390000000013"
scan "$(unit 1)"
wait_for "ОШИБКА"
