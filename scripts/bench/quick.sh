#!/bin/sh
# bench-quick: every path of `make bench` once, tiny N, in `make check`'s VM.
# Runs /tests/sfd-bench and /tests/sfd-scenarios on the profile appended to
# this script by mk/bench.mk and checks that every method and scenario
# produced a sane result (finite, positive, the expected node counts, no
# failure outside the JIT-limit round).  No timing is asserted.  TAP output.
set -u
P=/tmp/bench-quick-profile.json
B=/tmp/bench-quick-bench.txt
S=/tmp/bench-quick-scenarios.txt
sed '1,/^__PROFILE__$/d' "$0" > "$P"

/tests/sfd-bench --n 4 --iters 200 --reps 2 --warmup 2 "$P" > "$B" 2>&1
brc=$?
/tests/sfd-scenarios --churn-n 3 --spawn-n 3 --notify-n 8 --scale-n 6 --iters 200 \
	--reps 2 --jit-limit 65536 --exec /tests/bench-true "$P" > "$S" 2>&1
src=$?

# check DESCRIPTION FILE "KEY[OP] ...": every KEY present and not nan;
# OP: >0, >=0 or ==VALUE
n=0 fail=0
check() {
	n=$((n + 1))
	if awk -v want="$3" '
		/^#BEGIN RESULTS/ { in_ = 1; next } /^#END RESULTS/ { in_ = 0 }
		in_ && NF == 2 { v[$1] = $2 }
		END {
			nw = split(want, w, " ")
			for (i = 1; i <= nw; i++) {
				split(w[i], kv, "[<>=!]+"); k = kv[1]
				op = substr(w[i], length(k) + 1); x = v[k]
				if (!(k in v) || x == "nan") exit 1
				if (op ~ /^>0/ && !(x + 0 > 0)) exit 1
				if (op ~ /^==/ && !(x + 0 == substr(op, 3) + 0)) exit 1
				if (op ~ /^>=0/ && !(x + 0 >= 0)) exit 1
			}
		}' "$2"; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 ($3)"; fail=$((fail + 1))
	fi
}
echo "1..13"
[ $brc -eq 0 ] && echo "ok 1 sfd-bench exits 0" || { echo "not ok 1 sfd-bench exited $brc"; fail=$((fail + 1)); sed 's/^/# /' "$B" | tail -20; }
[ $src -eq 0 ] && echo "ok 2 sfd-scenarios exits 0" || { echo "not ok 2 sfd-scenarios exited $src"; fail=$((fail + 1)); sed 's/^/# /' "$S" | tail -20; }
n=2
check "bench: every method applied" "$B" "none.apply_us.median>0 A.apply_us.median>0 B.apply_us.median>0 C.apply_us.median>0 C2.apply_us.median>0 C3.apply_us.median>0 none2.apply_us.median>0"
check "bench: one node for C and C2, one per child for C3" "$B" "C.fdinfo.seccomp_nodes==1 C2.fdinfo.seccomp_nodes==1 C3.fdinfo.seccomp_nodes==4"
check "bench: hot path measured (present; tiny N may give a negative difference)" "$B" "B.getpid_ns C.getpid_ns C.personality_ns"
check "churn: A, B, C" "$S" "churn.A.apply_us.median>0 churn.B.apply_us.median>0 churn.C.apply_us.median>0 churn.done==1"
check "spawn: none, A, B, C, helper" "$S" "spawn.none.per_s>0 spawn.A.per_s>0 spawn.B.per_s>0 spawn.C.per_s>0 spawn.helper_none.per_s>0 spawn.helper_C.per_s>0"
check "notify: detached and NEW_LISTENER, 1 and 4 tasks" "$S" "notify.detached.t1.per_s.median>0 notify.listener.t1.per_s.median>0 notify.detached_zygote.t1.per_s.median>0 notify.detached.t4.per_s.median>0 notify.listener.t4.per_s.median>0 notify.detached_zygote.t4.per_s.median>0"
check "hotpath: unfiltered, loaded, attached, tree and linear" "$S" "hotpath.unfiltered.allowed_ns>0 hotpath.B.argcheck_ns>0 hotpath.C.argcheck_ns>0 hotpath.C.denied_ns>0 hotpath.linear_B.denied_ns>0 hotpath.linear_C.denied_ns>0 hotpath.done==1"
check "scale: every container loaded or attached" "$S" "scale.B.load_failures==0 scale.C.attach_failures==0 scale.none.bad_status==0 scale.B.bad_status==0 scale.C.bad_status==0"
check "scale: one node for all attached containers" "$S" "scale.C.fdinfo_nodes==1 scale.limit.C.fdinfo_nodes==1"
check "scale: JIT limit round ran, attach never fails" "$S" "scale.limit.B.n==6 scale.limit.C.attach_failures==0 scale.limit.C.load_failures==0 scale.jit_limit_set==65536"
check "scale: memory read" "$S" "scale.B.mem_kb.jit_packs>=0 scale.B.mem_kb.bpf_progs>=0 scale.done==1"
[ $fail -eq 0 ] || exit 1
exit 0
__PROFILE__
