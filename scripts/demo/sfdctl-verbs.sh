#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every sfdctl verb on the patched kernel (in `make check`'s VM), and the
# demo's answers to bad input.  TAP on stdout.
#
#   sfdctl-verbs [PROFILE]     (default /tests/sfd-container.json)
#
# PROFILE must be the project's container.json or alike: it denies mount(2)
# and sends syslog(2) to the agent (SCMP_ACT_NOTIFY).

SFDCTL=${SFDCTL:-sfdctl}
DEMO=${DEMO:-sfd-demo}
P=${1:-/tests/sfd-container.json}
T=$(mktemp -d /tmp/sfdctl-verbs.XXXXXX) || exit 1
chmod 755 "$T"
n=0
failed=0
PIDS=

cleanup() {
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
	[ -n "$out" ] && printf 'output (exit %s):\n%s\n' "$rc" "$out" | sed 's/^/#   /'
	return 0
}

# t NAME STATUS PATTERN CMD...: CMD exits STATUS and prints PATTERN.
t() {
	name=$1 want=$2 pat=$3
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		ok "$name"
	else
		not_ok "$name" "want exit $want and /$pat/"
	fi
}

printf '{ "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["mount"], "action": "SCMP_ACT_ERRNO" } ] }\n' \
	> "$T/plain.json"
printf '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": [] ' > "$T/broken.json"

echo "1..29"

# ---- compile
t "compile prints the fd's state" 0 "tag: +[0-9a-f]{16}" "$SFDCTL" compile "$P"
t "compile: a profile with NOTIFY rules is a listener" 0 "listener: yes" "$SFDCTL" compile "$P"
t "compile -- CMD: CMD has the fd, its number in SFD_FILTER_FD" 0 "nodes: +0" \
	"$SFDCTL" compile "$P" -- sh -c '"$0" info --fd "$SFD_FILTER_FD"' "$SFDCTL"
t "compile: a broken profile fails, named" 1 "^sfdctl: compile: $T/broken.json" \
	"$SFDCTL" compile "$T/broken.json"

# ---- serve
S=$T/stash.sock
mkfifo "$T/ready"
"$SFDCTL" serve --socket "$S" --ready-fd 3 "$P" plain="$T/plain.json" again="$P" 3>"$T/ready" >"$T/serve.log" 2>&1 &
SERVE=$!
PIDS="$PIDS $SERVE"
read -r r < "$T/ready"
if [ "$r" = ready ] && [ -S "$S" ]; then ok "serve listens once every profile compiled"
else out=$(cat "$T/serve.log"); rc=-; not_ok "serve listens once every profile compiled"; fi
t "info --socket: the stash hands out a profile by name" 0 "listener: yes" \
	"$SFDCTL" info --socket "$S" --name sfd-container
tag=$("$SFDCTL" info --socket "$S" --name plain | sed -n 's/.*tag: *//p')
t "info --socket: and by its tag" 0 "listener: no" "$SFDCTL" info --socket "$S" --name "$tag"
digest=$("$SFDCTL" compile "$P" | sed -n 's/^digest: *//p')
t "info --socket: and by its digest" 0 "listener: yes" "$SFDCTL" info --socket "$S" --name "$digest"
out=$(cat "$T/serve.log")
rc=-
if echo "$out" | grep -q "again: .*the same filter as sfd-container"; then
	ok "serve: a profile given twice is compiled once (one fd per digest)"
else not_ok "serve: a profile given twice is compiled once (one fd per digest)"; fi
t "a name the stash lacks is an error naming it" 1 "no profile named 'nope'" \
	"$SFDCTL" info --socket "$S" --name nope

# ---- run
t "run: the command runs under the stashed filter" 0 "Seccomp:[[:space:]]+2" \
	"$SFDCTL" run --socket "$S" --name plain -- grep Seccomp: /proc/self/status
t "run: the filter denies what the profile denies" 1 "permission denied|not permitted" \
	"$SFDCTL" run --socket "$S" --name plain --ns user,mnt -- mount -t tmpfs none /mnt
t "run: the command's exit status passes through" 7 "" \
	"$SFDCTL" run --socket "$S" --name plain -- sh -c 'exit 7'
t "run: a missing command is 127, named" 127 "nosuchcmd: command not found" \
	"$SFDCTL" run --socket "$S" --name plain -- nosuchcmd
t "run --ns: pid 1 of a new pid namespace, root of a new user namespace" 0 "^1 0$" \
	"$SFDCTL" run --profile "$P" --ns user,pid,mnt,uts -- sh -c 'echo $$ $(id -u)'
t "run --load: the child compiles and loads the profile itself" 0 "Seccomp:[[:space:]]+2" \
	"$SFDCTL" run --profile "$P" --load --time -- grep Seccomp: /proc/self/status

# ---- attach and info --pid: a running process, unfiltered until attached
mkfifo "$T/go" "$T/started"
sh -c 'echo up > "$1"; read -r x < "$2"; grep -E "^Seccomp:" /proc/self/status' sh \
	"$T/started" "$T/go" > "$T/target.out" 2>&1 &
TARGET=$!
PIDS="$PIDS $TARGET"
read -r x < "$T/started"
t "info --pid: a process without a filter" 0 "Seccomp:[[:space:]]+0" "$SFDCTL" info --pid "$TARGET"
t "attach: a running process, every thread" 0 "attached to process $TARGET" \
	"$SFDCTL" attach --socket "$S" --name plain "$TARGET"
t "info --pid: now in filter mode" 0 "Seccomp_filters:[[:space:]]+1" "$SFDCTL" info --pid "$TARGET"
t "attach: the same filter again is refused, named" 1 "already attached" \
	"$SFDCTL" attach --socket "$S" --name plain "$TARGET"
t "attach --thread: one thread, another filter" 0 "attached to thread $TARGET" \
	"$SFDCTL" attach --profile "$T/plain.json" --thread "$TARGET"
echo go > "$T/go"
wait "$TARGET"
out=$(cat "$T/target.out")
if echo "$out" | grep -Eq "Seccomp:[[:space:]]+2"; then ok "the attached process runs on filtered"
else rc=-; not_ok "the attached process runs on filtered"; fi

# ---- agent
t "agent --policy deny: the notified syscall fails with EPERM" 1 "syslog.*-> EPERM" \
	"$SFDCTL" agent --profile "$P" --policy deny -- dmesg
t "agent --policy allow: it runs" 0 "Linux version" \
	"$SFDCTL" agent --profile "$P" --policy allow -- dmesg
t "agent: a filter without NOTIFY rules is refused" 1 "no SCMP_ACT_NOTIFY rule" \
	"$SFDCTL" agent --socket "$S" --name plain

# ---- serve ends on SIGTERM and removes its socket
kill -TERM "$SERVE"
wait "$SERVE"
rc=$?
if [ "$rc" = 0 ] && [ ! -e "$S" ]; then ok "serve: SIGTERM ends it, status 0, socket removed"
else out=$(cat "$T/serve.log"); not_ok "serve: SIGTERM ends it, status 0, socket removed"; fi
PIDS=

# ---- the demo on bad input: says which step failed and why, leaves nothing
t "demo: a profile that does not compile fails step 1, saying why" 1 \
	"FAILED: step 1 .*does not compile: sfdctl: compile: $T/broken.json" \
	"$DEMO" "$T/broken.json"
t "demo: a stash socket that is gone fails step 1, saying why" 1 \
	"FAILED: step 1 .*does not answer: sfdctl: info: $T/gone.sock: no such file" \
	"$DEMO" --socket "$T/gone.sock" "$P"
out=$(pidof sfdctl sfd-demo)
rc=-
if [ -z "$out" ]; then ok "no sfdctl or demo process is left behind"
else not_ok "no sfdctl or demo process is left behind" "$(ps)"; fi
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
