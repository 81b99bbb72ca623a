#!/bin/sh
# Outbox: a document the state system rejected shows its state and the
# state system's reason, so the person who must fix it reads why.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
admin_exec "box open" "scan $(unit 1)" "close" >/dev/null
# What the runner records for a CHECKED_NOT_OK answer (tested against the
# emulator in test_sy_sync), written straight into the outbox here.
sqlite3 "$DB" "UPDATE outbox SET state = 'rejected', attempts = 1,
	server_id = 'b2c4e6a8-0000-4000-8000-000000000001',
	last_error = '29: Invalid format of the JSON file' WHERE id = 1" ||
	fail "cannot mark the document rejected"
start
login operator 1111
key 7
wait_for "Aggregation 046004390000000013"
wait_for "rejected"
key Enter
wait_for "State: rejected: needs a person"
wait_for "Needs a person: read the reason"
wait_for "29: Invalid format of the JSON file"
wait_for "Its number there: b2c4e6a8-0000-4000-8000-000000000001"
wait_for "1 attempt to send"
