#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-only OR MIT
# Host tests of sfdctl's command line: usage errors, bad input named in one
# line, exit codes.  They need no detached-filter kernel (the verbs' work is
# tested in the VM by scripts/demo/sfdctl-verbs.sh).  TAP on stdout.
#
#   tests/cli.sh [SFDCTL]     (default: sfdctl on $PATH; in the VM, /tests/sfdctl)
SFDCTL=${1:-sfdctl}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
n=0
failed=0

# case NAME STATUS PATTERN CMD...: CMD exits STATUS, its output matches PATTERN.
case_() {
	name=$1 want=$2 pat=$3
	shift 3
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && printf '%s\n' "$out" | grep -Eq -- "$pat"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# exit $rc (want $want), output:"
		printf '%s\n' "$out" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

echo '{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["mount"] ' > "$T/broken.json"
echo 'allow this' > "$T/policy"

echo "1..16"
case_ "--help exits 0 and names every verb" 0 "compile.*" "$SFDCTL" --help
case_ "--help lists agent" 0 "agent SOURCE" "$SFDCTL" --help
case_ "no verb is a usage error" 2 "usage: sfdctl VERB" "$SFDCTL"
case_ "an unknown verb is named" 2 "unknown verb 'frob'" "$SFDCTL" frob
case_ "compile: a missing profile is named" 1 "^sfdctl: compile: $T/none.json: " "$SFDCTL" compile "$T/none.json"
case_ "compile: a broken profile is named" 1 "^sfdctl: compile: .*broken.json" "$SFDCTL" compile "$T/broken.json"
case_ "compile: no profile is a usage error" 2 "compile PROFILE" "$SFDCTL" compile
case_ "serve: --socket is required" 2 "serve needs --socket" "$SFDCTL" serve "$T/broken.json"
case_ "run: no command is a usage error" 2 "no command given" "$SFDCTL" run --profile "$T/broken.json"
case_ "run: no filter source is a usage error" 2 "--socket PATH --name NAME" "$SFDCTL" run -- true
case_ "run: an unknown namespace is named" 2 "unknown namespace 'time'" "$SFDCTL" run --profile x --ns user,time -- true
case_ "run: a gone stash is named, status 125" 125 "^sfdctl: run: $T/gone.sock: no such file" \
	"$SFDCTL" run --socket "$T/gone.sock" --name p -- true
case_ "attach: the PID must be a number" 2 "PID: 'abc' is not a number" "$SFDCTL" attach --profile x abc
case_ "info: --pid of no process" 1 "pid 2147483647: no such process" "$SFDCTL" info --pid 2147483647
case_ "info: --fd of something else" 1 "fd 0: |fd 0" "$SFDCTL" info --fd 0
case_ "agent: a bad policy line is named" 1 "policy $T/policy:1: want" \
	"$SFDCTL" agent --socket "$T/gone.sock" --name p --policy "$T/policy"
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
