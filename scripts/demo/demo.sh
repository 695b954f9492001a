#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make demo: a container manager's day with detached seccomp filters, told
# with sfdctl on the patched kernel (run in the bench VM by `make demo`).
#
#   sfd-demo [--tap] [--runs N] [--socket PATH] [PROFILE]
#
# PROFILE: an OCI/Docker seccomp profile (default: the project's
# libsfd/profiles/container.json, found as /etc/sfd/container.json or
# /tests/sfd-container.json).  --socket PATH: use that running stash
# instead of starting one.  --runs N: timed runs per way in the last step
# (default 31).  --tap: TAP output for `make check` (one test per step).
#
# Every step prints the commands it runs, their output, and checks its
# evidence; the first step that misbehaves ends the demo with a non-zero
# status and says why.  No process is left behind.

SFDCTL=${SFDCTL:-sfdctl}
TAP=0
RUNS=31
SOCK=
PROFILE=
while [ $# -gt 0 ]; do
	case "$1" in
	--tap) TAP=1 ;;
	--runs) RUNS=$2; shift ;;
	--socket) SOCK=$2; shift ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	-*) echo "sfd-demo: unknown option $1" >&2; exit 2 ;;
	*) PROFILE=$1 ;;
	esac
	shift
done
if [ -z "$PROFILE" ]; then
	for p in /etc/sfd/container.json /tests/sfd-container.json; do
		[ -f "$p" ] && PROFILE=$p && break
	done
fi

W=$(mktemp -d /tmp/sfd-demo.XXXXXX) || exit 1
chmod 755 "$W"
STEP=0
NSTEPS=6
# The real-runtime chapter (scripts/oci/) is the last step when its program is
# in the guest; make check runs it as its own test (oci-runtimes), not here.
OCI=0
[ -x /bin/oci-demo ] && [ $TAP = 0 ] && OCI=1 && NSTEPS=7
PIDS=		# background sfdctl processes (stash, agent, container runs)
CPIDS=		# container processes (killed first: nothing outlives the demo)

# ---- telling the story -------------------------------------------------

say() {
	if [ $TAP = 1 ]; then printf '%s\n' "$*" | sed 's/^/# /'; else printf '%s\n' "$*"; fi
}

step() {
	STEP=$1
	STEP_TITLE=$2
	say ""
	say "==== Step $1 of $NSTEPS: $2 ===="
}

# shell_words ARG...: the command line as a person would type it again.
shell_words() {
	w=
	for a in "$@"; do
		[ "$a" = "$SFDCTL" ] && a=sfdctl
		case $a in
		*[!A-Za-z0-9_./=:,+@%-]*|'') a="'$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'" ;;
		esac
		w="$w${w:+ }$a"
	done
	printf '%s' "$w"
}

# run CMD...: print it as a person would type it, run it, show its output
# (indented), keep it in $OUT and its status in $RC.
run() {
	say "\$ $(shell_words "$@")"
	OUT=$("$@" 2>&1)
	RC=$?
	[ -n "$OUT" ] && say "$OUT" | sed 's/^\(# \)\{0,1\}/&    /'
	return 0
}

fail() {
	say ""
	say "FAILED: step $STEP ($STEP_TITLE): $*"
	[ $TAP = 1 ] && echo "not ok $STEP - step $STEP: $STEP_TITLE"
	exit 1
}

# expect WHAT TEXT: the last output must contain TEXT (a grep -E pattern).
expect() {
	echo "$OUT" | grep -Eq -- "$2" || fail "$1: expected /$2/ in the output above"
}

expect_rc() {
	[ "$RC" = "$1" ] || fail "$2: exit status $RC, expected $1"
}

passed() {
	if [ $TAP = 1 ]; then echo "ok $STEP - step $STEP: $STEP_TITLE"; else say "-- step $STEP: ok"; fi
}

cleanup() {
	for p in $CPIDS; do kill -KILL "$p" 2>/dev/null; done
	for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- containers --------------------------------------------------------
#
# A container here is `sfdctl run --ns user,pid,mnt,uts -- sh -c LOOP`: its
# shell reads one command at a time from a FIFO and answers on another, so
# the demo can run commands inside it while it lives (no sleeps, no polling).

CTR_LOOP='while read -r cmd < "$1.in"; do
	[ "$cmd" = exit ] && exit 0
	{ eval "$cmd"; echo "[exit $?]"; } > "$1.out" 2>&1
done'

# start_ctr NAME: start container NAME under the stashed filter.
start_ctr() {
	mkfifo -m 666 "$W/$1.in" "$W/$1.out" "$W/$1.ready"
	say "\$ sfdctl run --socket $SOCK --name $PNAME --ns user,pid,mnt,uts -- sh -c LOOP &   # container $1"
	"$SFDCTL" run --socket "$SOCK" --name "$PNAME" --ns user,pid,mnt,uts --ready-fd 3 \
		-- sh -c "$CTR_LOOP" "$1" "$W/$1" 3>"$W/$1.ready" >"$W/$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "RUN_$1=$!"
	read -r pid < "$W/$1.ready"
	[ -n "$pid" ] || { cat "$W/$1.log"; fail "container $1 did not start: $(cat "$W/$1.log")"; }
	CPIDS="$CPIDS $pid"
	eval "PID_$1=$pid"
	say "    container $1 runs as host pid $pid"
}

# ctr_dead NAME: why container NAME no longer answers.
ctr_dead() {
	eval "r=\$RUN_$1"
	if kill -0 "$r" 2>/dev/null; then
		echo "container $1 does not answer: $(cat "$W/$1.log")"
	else
		wait "$r"
		echo "container $1 ended with status $? (128+N: killed by signal N): $(cat "$W/$1.log")"
	fi
}

# in_ctr NAME CMD: run CMD in container NAME, show and keep its output.
in_ctr() {
	say "[$1]\$ $2"
	# Bounded: a container that died (a profile that kills) must not hang us.
	timeout 60 sh -c 'printf "%s\n" "$1" > "$2"' sh "$2" "$W/$1.in" || fail "$(ctr_dead "$1")"
	OUT=$(timeout 300 cat "$W/$1.out") || fail "'$2': $(ctr_dead "$1")"
	RC=$(echo "$OUT" | sed -n 's/^\[exit \([0-9]*\)\]$/\1/p' | tail -n 1)
	OUT=$(echo "$OUT" | sed '/^\[exit [0-9]*\]$/d')
	[ -n "$OUT" ] && say "$OUT" | sed 's/^\(# \)\{0,1\}/&    /'
	return 0
}

stop_ctr() {
	say "[$1]\$ exit"
	timeout 60 sh -c 'echo exit > "$1"' sh "$W/$1.in" || fail "$(ctr_dead "$1")"
	eval "wait \$RUN_$1"
	RC=$?
	[ "$RC" = 0 ] || fail "container $1 ended with status $RC: $(cat "$W/$1.log")"
	eval "gone=\$PID_$1"
	left=
	for p in $CPIDS; do [ "$p" = "$gone" ] || left="$left $p"; done
	CPIDS=$left
}

# ---- the story ---------------------------------------------------------

[ $TAP = 1 ] && echo "1..$NSTEPS"
say "Detached seccomp filters: a container manager's day, on $(uname -r)"
say "profile: ${PROFILE:-(none found)}"

step 1 "compile the container profile once, into a detached fd, and stash it"
[ -n "$PROFILE" ] || [ -n "$SOCK" ] || fail "no profile given and none of the defaults exists"
PNAME=$(basename "${PROFILE:-stashed}" .json)
if [ -n "$SOCK" ]; then
	say "using the stash already serving on $SOCK"
	run "$SFDCTL" info --socket "$SOCK" --name "$PNAME"
	[ "$RC" = 0 ] || fail "the stash at $SOCK does not answer: $OUT"
else
	run "$SFDCTL" compile "$PROFILE"
	[ "$RC" = 0 ] || fail "the profile does not compile: $OUT"
	expect "fdinfo of the new fd" "tag: +[0-9a-f]{16}"
	say "The profile is now a BPF program the kernel verified, held by an fd and installed"
	say "nowhere.  The stash keeps one such fd and hands copies out over a UNIX socket:"
	SOCK=$W/stash.sock
	mkfifo "$W/stash.ready"
	say "\$ sfdctl serve --socket $SOCK $PROFILE &"
	"$SFDCTL" serve --socket "$SOCK" --ready-fd 3 "$PROFILE" 3>"$W/stash.ready" >"$W/stash.log" 2>&1 &
	PIDS="$PIDS $!"
	read -r r < "$W/stash.ready"
	[ "$r" = ready ] || fail "the stash did not start: $(cat "$W/stash.log")"
	say "$(sed 's/^/    /' "$W/stash.log")"
	run "$SFDCTL" info --socket "$SOCK" --name "$PNAME"
	[ "$RC" = 0 ] || fail "the stash does not hand out '$PNAME': $OUT"
	expect "a fresh fd" "nodes: +0"
fi
LISTENER=0
echo "$OUT" | grep -q "listener: yes" && LISTENER=1
passed

step 2 "containers (new user, pid, mount, uts namespaces) put under the filter by pidfd before they exec"
say "sfdctl run clones each container held before execve(), attaches the fd it got from"
say "the stash to the child's pidfd, then lets it exec: its first instruction is filtered."
start_ctr c1
start_ctr c2
for c in c1 c2; do
	in_ctr $c "hostname $c; hostname; echo pid \$\$ uid \$(id -u)"
	expect "the container's own uts namespace (sethostname is allowed)" "^ *$c\$"
	expect "pid 1 in its own pid namespace" "pid 1 uid 0"
	in_ctr $c "grep -E '^(NoNewPrivs|Seccomp)' /proc/self/status"
	expect "Seccomp line" "Seccomp:[[:space:]]+2"
	expect "one filter" "Seccomp_filters:[[:space:]]+1"
	in_ctr $c "mount -t tmpfs none /tmp"
	[ "$RC" != 0 ] || fail "mount worked in container $c: the filter should deny it"
	expect "a denied syscall" "not permitted|permission denied"
	in_ctr $c "unshare -U true"
	expect "a denied syscall" "not permitted|permission denied"
	in_ctr $c "echo hello > /tmp/$c.txt && cat /tmp/$c.txt"
	expect "allowed syscalls" "hello"
done
say "Both containers run under the same filter; outside them nothing changed.  The same"
say "mount in new user and mount namespaces, without the filter, works:"
run unshare -U -m -r sh -c 'mount -t tmpfs none /tmp && echo mounted'
expect "the denial above is the filter's" "^mounted$"
run hostname
echo "$OUT" | grep -Eq '^c[0-9]$' && fail "the host's name changed to $OUT"
run "$SFDCTL" info --pid "$PID_c1"
expect "the container seen from the host" "Seccomp:[[:space:]]+2"
run "$SFDCTL" info --socket "$SOCK" --name "$PNAME"
expect "containers started from the same base chain share one node" "nodes: +1$"
expect "the fd is in use" "state: +in use"
passed

step 3 "exec into a running container: a fresh process joins it under the same filter"
say "sfdctl run --join gets the fd from the stash over SCM_RIGHTS, enters c1's namespaces"
say "(setns with c1's pidfd) and starts the command there, attached before it execs:"
run "$SFDCTL" run --socket "$SOCK" --name "$PNAME" --join "$PID_c1" -- \
	sh -c 'echo "hostname $(hostname), pid $$"; grep -E "^Seccomp" /proc/self/status; mount -t tmpfs none /tmp'
expect "c1's uts namespace" "hostname c1"
expect "a pid in c1's pid namespace" "pid [0-9]+$"
expect "under the filter" "Seccomp:[[:space:]]+2"
expect "the same denial" "not permitted|permission denied"
[ "$RC" != 0 ] || fail "the joined command's mount should have failed"
say "(exit status $RC: the command's own, passed through)"
run "$SFDCTL" info --socket "$SOCK" --name "$PNAME"
expect "still one node" "nodes: +1$"
passed

step 4 "serve user notifications for every container from the same fd"
if [ $LISTENER = 0 ]; then
	say "This profile has no SCMP_ACT_NOTIFY rule: nothing to serve (the project's"
	say "container.json brokers syslog and chroot)."
else
	say "The profile sends syslog(2) and chroot(2) to the manager (SCMP_ACT_NOTIFY).  One"
	say "agent serves them for every container through the stashed fd; its policy:"
	printf 'syslog deny\nchroot log\n* deny\n' > "$W/policy"
	say "$(sed 's/^/    /' "$W/policy")"
	mkfifo "$W/agent.ready"
	say "\$ sfdctl agent --socket $SOCK --name $PNAME --policy policy &"
	"$SFDCTL" agent --socket "$SOCK" --name "$PNAME" --policy "$W/policy" --ready-fd 3 \
		3>"$W/agent.ready" >"$W/agent.log" 2>&1 &
	AGENT=$!
	PIDS="$PIDS $AGENT"
	read -r r < "$W/agent.ready"
	[ "$r" = ready ] || fail "the agent did not start: $(cat "$W/agent.log")"
	in_ctr c1 "dmesg | head -n 1"
	expect "syslog denied by the agent" "not permitted"
	in_ctr c2 "chroot / /bin/true && echo chroot done"
	expect "chroot let through by the agent" "chroot done"
	in_ctr c1 "chroot / /bin/true && echo chroot done"
	expect "chroot let through by the agent" "chroot done"
	say "The agent's log (pids as the host sees them):"
	say "$(sed 's/^/    /' "$W/agent.log")"
	OUT=$(cat "$W/agent.log")
	expect "the agent denied syslog" "syslog\(.*-> EPERM"
	expect "the agent let chroot run" "chroot\(.*-> continue"
	n=$(grep -c 'chroot(' "$W/agent.log")
	[ "$n" -ge 2 ] || fail "expected chroot from both containers in the agent's log"
fi
passed

step 5 "containers exit, the fd reports POLLHUP, a new container reuses the stashed fd"
stop_ctr c1
stop_ctr c2
if [ $LISTENER = 1 ]; then
	wait "$AGENT"
	RC=$?
	say "$(sed 's/^/    /' "$W/agent.log" | tail -n 1)"
	[ "$RC" = 0 ] || fail "the agent ended with status $RC"
	OUT=$(cat "$W/agent.log")
	expect "the agent saw that no task uses the filter" "POLLHUP: no task uses"
fi
run "$SFDCTL" info --socket "$SOCK" --name "$PNAME"
expect "no node left" "nodes: +0$"
expect "POLLHUP once no task uses it" "POLLHUP"
say "The stash still holds the fd: a new container needs no compile."
start_ctr c3
in_ctr c3 "grep -E '^Seccomp' /proc/self/status; mount -t tmpfs none /tmp"
expect "under the filter" "Seccomp:[[:space:]]+2"
expect "the same denial" "not permitted|permission denied"
run "$SFDCTL" info --socket "$SOCK" --name "$PNAME"
expect "a node again" "nodes: +1$"
expect "POLLHUP cleared" "state: +in use"
stop_ctr c3
passed

step 6 "how long putting a container under the profile takes: stashed fd vs compile + load"
[ -n "$PROFILE" ] || fail "this step needs the profile file"
say "Each run starts 'true' in new user, pid, mount and uts namespaces.  With the fd:"
say "spawn held, attach by pidfd, exec.  Without: compile the profile, spawn, the child"
say "loads it with SECCOMP_SET_MODE_FILTER, exec.  $RUNS runs each, after one warm-up run:"
"$SFDCTL" run --socket "$SOCK" --name "$PNAME" --ns user,pid,mnt,uts --time -- true 2>"$W/t.warm" ||
	fail "warm-up run: $(cat "$W/t.warm")"
# A guest without a usable clocksource has CLOCK_MONOTONIC_RAW on jiffies:
# sfdctl then times with the TSC, at a rate it measured; keep that rate.
MHZ=$(sed -n 's/.*TSC at \([0-9.]*\) MHz, measured.*/\1/p' "$W/t.warm")
if [ -n "$SFDCTL_TSC_MHZ" ]; then
	say "(clock: the TSC, at $SFDCTL_TSC_MHZ MHz as measured on the host: QEMU TCG's TSC is the host's)"
elif [ -n "$MHZ" ]; then
	export SFDCTL_TSC_MHZ=$MHZ
	say "(clock: CLOCK_MONOTONIC_RAW is coarse here; the TSC, at $MHZ MHz measured against it)"
else
	say "(clock: CLOCK_MONOTONIC_RAW)"
fi
: > "$W/t.fd"
: > "$W/t.load"
i=0
while [ $i -lt "$RUNS" ]; do
	"$SFDCTL" run --socket "$SOCK" --name "$PNAME" --ns user,pid,mnt,uts --time -- true 2>>"$W/t.fd" ||
		fail "run $i with the fd: $(tail -n 1 "$W/t.fd")"
	"$SFDCTL" run --profile "$PROFILE" --load --ns user,pid,mnt,uts --time -- true 2>>"$W/t.load" ||
		fail "run $i with compile + load: $(tail -n 1 "$W/t.load")"
	i=$((i + 1))
done
median() {
	sed -n 's/.* in \([0-9.]*\) us .*/\1/p' "$1" | sort -n | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit 1; if (NR % 2) print v[(NR + 1) / 2];
		      else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
say "And the filter step alone: attaching the fd to an idle process by pid (pidfd_open"
say "+ SECCOMP_ATTACH_FILTER), $RUNS processes:"
: > "$W/t.attach"
i=0
while [ $i -lt "$RUNS" ]; do
	sleep 600 &
	tp=$!
	"$SFDCTL" attach --socket "$SOCK" --name "$PNAME" --time "$tp" >/dev/null 2>>"$W/t.attach"
	rc=$?
	# SIGKILL: a TERM that lands before the child has execve()d sleep can be
	# lost in the shell's own handling, and the wait would last 600 s.
	kill -KILL "$tp"
	wait "$tp" 2>/dev/null
	[ $rc = 0 ] || fail "attach $i: $(tail -n 1 "$W/t.attach")"
	i=$((i + 1))
done
MFD=$(median "$W/t.fd") || fail "no timings with the fd: $(cat "$W/t.fd")"
MLOAD=$(median "$W/t.load") || fail "no timings with compile + load: $(cat "$W/t.load")"
MATT=$(median "$W/t.attach") || fail "no attach timings: $(cat "$W/t.attach")"
say ""
say "    median, container start with the stashed fd (spawn + attach + exec):      $MFD us"
say "    median, container start with compile + load (compile + spawn + load + exec): $MLOAD us"
say "    median, the attach alone:                                                  $MATT us"
say "    $(awk -v a="$MLOAD" -v b="$MFD" 'BEGIN { printf "compile + load takes %.1fx as long (this run, this VM; measured, not asserted)", a / b }')"
passed

if [ $OCI = 1 ]; then
	# Hook for the real-runtime chapter (scripts/oci/): runs when that
	# program is in the guest.
	step 7 "a real runtime (crun/runc) with the same profile"
	run /bin/oci-demo --socket "$SOCK" --name "$PNAME"
	[ "$RC" = 0 ] || fail "oci-demo ended with status $RC"
	passed
fi

say ""
say "All $NSTEPS steps behaved."
exit 0
