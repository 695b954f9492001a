# Shell functions of the OCI manager (POSIX sh, for the busybox guest).
# Sourced by oci-manager, oci-demo, oci-bench and the oci-runtimes test:
#   . /lib/oci/lib.sh
#
# The detached filters come from a stash, `sfdctl serve` (libsfd/sfdctl):
# it compiles each profile once and hands a copy of the filter's fd to each
# `sfdctl attach|info|run|agent --socket SOCK --name NAME`, so every
# container gets the same filter. The runtimes never see it.
#
# Each function prints "oci: STEP failed: WHY" on stderr and returns non-zero
# when its step fails.

OCI_DIR=${OCI_DIR:-/run/oci-manager}
# The guest's / is the initramfs (rootfs), which pivot_root(2) cannot move
# (EINVAL): both runtimes then enter the container's root with MS_MOVE and
# chroot, their --no-pivot (as Docker does on a ramdisk, DOCKER_RAMDISK).
# On a host whose / is a real mount, OCI_CREATE_FLAGS= keeps pivot_root.
OCI_CREATE_FLAGS=${OCI_CREATE_FLAGS---no-pivot}
OCI_PROBE=${OCI_PROBE:-/bin/oci-probe}

oci_err() {
	echo "oci: $1 failed: $2" >&2
	return 1
}

# oci_runtime_check RUNTIME: the runtime binary is there and runs.
oci_runtime_check() {
	command -v "$1" >/dev/null 2>&1 ||
		{ oci_err runtime "'$1' not found in PATH ($PATH)"; return 1; }
	"$1" --version >/dev/null 2>&1 ||
		{ oci_err runtime "'$1 --version' does not run (missing shared library?)"; return 1; }
}

# oci_rootfs DIR: a busybox root filesystem with oci-probe, made once.
oci_rootfs() {
	[ -x "$1/bin/oci-probe" ] && return 0
	mkdir -p "$1/bin" "$1/proc" "$1/dev" "$1/sys" "$1/tmp" "$1/etc" "$1/root" ||
		{ oci_err rootfs "cannot create $1"; return 1; }
	cp /bin/busybox "$1/bin/busybox" && cp "$OCI_PROBE" "$1/bin/oci-probe" ||
		{ oci_err rootfs "cannot copy busybox and $OCI_PROBE into $1"; return 1; }
	for a in sh cat echo sleep ls true; do
		ln -sf busybox "$1/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" > "$1/etc/passwd"
	echo "root:x:0:" > "$1/etc/group"
}

# JSON string of $1
oci_jstr() {
	printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"
}

# oci_bundle BUNDLE ROOTFS SECCOMP CMD [ARGS...]: BUNDLE/config.json in
# `runc spec` style (terminal false, the default capabilities, pid, ipc, uts,
# mount and network namespaces, the device cgroup denying all but the
# default devices), running CMD ARGS in ROOTFS; SECCOMP is an OCI seccomp
# profile for linux.seccomp, or "-" for none.
oci_bundle() {
	b=$1 r=$2 s=$3
	shift 3
	[ $# -gt 0 ] || { oci_err bundle "no command for $b"; return 1; }
	mkdir -p "$b" || { oci_err bundle "cannot create $b"; return 1; }
	if [ "$s" != - ] && [ ! -r "$s" ]; then
		oci_err bundle "seccomp profile $s not readable"
		return 1
	fi
	args=""
	for a in "$@"; do
		args="$args${args:+, }$(oci_jstr "$a")"
	done
	caps='"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"'
	{
		cat <<EOF
{
	"ociVersion": "1.0.2",
	"process": {
		"terminal": false,
		"user": { "uid": 0, "gid": 0 },
		"args": [ $args ],
		"env": [ "PATH=/bin", "TERM=dumb" ],
		"cwd": "/",
		"capabilities": {
			"bounding": [ $caps ], "effective": [ $caps ],
			"permitted": [ $caps ], "ambient": [ $caps ]
		},
		"rlimits": [ { "type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024 } ],
		"noNewPrivileges": true
	},
	"root": { "path": $(oci_jstr "$r"), "readonly": false },
	"hostname": "oci",
	"mounts": [
		{ "destination": "/proc", "type": "proc", "source": "proc" },
		{ "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
		{ "destination": "/dev/pts", "type": "devpts", "source": "devpts",
		  "options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620" ] },
		{ "destination": "/dev/shm", "type": "tmpfs", "source": "shm",
		  "options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ] },
		{ "destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
		  "options": [ "nosuid", "noexec", "nodev" ] },
		{ "destination": "/sys", "type": "sysfs", "source": "sysfs",
		  "options": [ "nosuid", "noexec", "nodev", "ro" ] },
		{ "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
		  "options": [ "nosuid", "nodev", "mode=1777" ] }
	],
	"linux": {
		"resources": { "devices": [ { "allow": false, "access": "rwm" } ] },
		"namespaces": [ { "type": "pid" }, { "type": "network" }, { "type": "ipc" },
				{ "type": "uts" }, { "type": "mount" } ],
		"maskedPaths": [ "/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware" ],
		"readonlyPaths": [ "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" ]
EOF
		if [ "$s" != - ]; then
			printf '\t\t,"seccomp": '
			cat "$s"
		fi
		printf '\t}\n}\n'
	} > "$b/config.json" || { oci_err bundle "cannot write $b/config.json"; return 1; }
}

# oci_create RUNTIME ID BUNDLE: `create`; the container's stdout goes to
# BUNDLE/out, the runtime's and the container's stderr to BUNDLE/err; the
# init's pid to BUNDLE/pid.
oci_create() {
	rm -f "$3/pid" "$3/out" "$3/err"
	# shellcheck disable=SC2086 # OCI_CREATE_FLAGS: zero or more flags
	if ! "$1" create $OCI_CREATE_FLAGS --bundle "$3" --pid-file "$3/pid" "$2" \
			< /dev/null > "$3/out" 2> "$3/err"; then
		oci_err create "$1 create $2: $(tail -n 3 "$3/err" | tr '\n' ' ')"
		return 1
	fi
	[ -s "$3/pid" ] || { oci_err create "$1 create $2 wrote no pid file"; return 1; }
}

oci_pid() {
	cat "$1/pid"
}

# oci_stash SOCK NAME=PROFILE...: start a stash serving each profile under
# its name on SOCK; its pid in OCI_STASH_PID. Returns once it listens (its
# --ready-fd), or fails naming the profile that did not compile.
oci_stash() {
	sock=$1
	shift
	rm -f "$sock" "$sock.ready"
	mkfifo "$sock.ready" || { oci_err profile "mkfifo $sock.ready"; return 1; }
	sfdctl serve --socket "$sock" --ready-fd 3 "$@" 3> "$sock.ready" > "$sock.log" 2> "$sock.err" &
	OCI_STASH_PID=$!
	if ! read -r ready < "$sock.ready" || [ "$ready" != ready ]; then
		wait "$OCI_STASH_PID"
		oci_err profile "$(sed 's/^sfdctl: //' "$sock.err")"
		rm -f "$sock.ready"
		return 1
	fi
	rm -f "$sock.ready"
}

# oci_agent LOG ARGS...: start `sfdctl agent ARGS` (its stdout and stderr
# to LOG); its pid in OCI_AGENT_PID. Returns once it serves (its
# --ready-fd), or fails with its error if it ended first.
oci_agent() {
	log=$1
	shift
	rm -f "$log.ready"
	mkfifo "$log.ready" || { oci_err agent "mkfifo $log.ready"; return 1; }
	sfdctl agent --ready-fd 3 "$@" 3> "$log.ready" > "$log" 2>&1 &
	OCI_AGENT_PID=$!
	if ! read -r ready < "$log.ready"; then
		wait "$OCI_AGENT_PID"
		oci_err agent "$(sed 's/^sfdctl: //' "$log")"
		rm -f "$log.ready"
		return 1
	fi
	rm -f "$log.ready"
}

# oci_stash_stop: end the stash (SIGTERM: it removes its socket).
oci_stash_stop() {
	kill "$OCI_STASH_PID" && wait "$OCI_STASH_PID"
}

# oci_attach SOCK NAME PID: the stash's filter NAME onto every thread of PID.
oci_attach() {
	sfdctl attach --socket "$1" --name "$2" "$3" > /dev/null 2> "$OCI_DIR/.attach.err" ||
		{ oci_err attach "$(sed 's/^sfdctl: //' "$OCI_DIR/.attach.err")"; return 1; }
}

# oci_threads PID: "THREADS LOWEST HIGHEST" over Seccomp_filters of every
# thread of PID.
oci_threads() {
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^Seccomp_filters:/ { n++; if (lo == "" || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
		     END { print n + 0, lo + 0, hi + 0 }'
}

# oci_start RUNTIME ID
oci_start() {
	"$1" start "$2" < /dev/null > "$OCI_DIR/.start.err" 2>&1 ||
		{ oci_err start "$1 start $2: $(tail -n 3 "$OCI_DIR/.start.err" | tr '\n' ' ')"; return 1; }
}

# oci_wait PID: until the process has exited (pidfd; no polling loop).
oci_wait() {
	oci-wait "$1" 2> "$OCI_DIR/.wait.err" ||
		{ oci_err wait "process $1: $(cat "$OCI_DIR/.wait.err")"; return 1; }
}

# oci_delete RUNTIME ID: kill if still running, then delete.
oci_delete() {
	"$1" delete -f "$2" < /dev/null > "$OCI_DIR/.delete.err" 2>&1 ||
		{ oci_err delete "$1 delete -f $2: $(tail -n 3 "$OCI_DIR/.delete.err" | tr '\n' ' ')"; return 1; }
}

# oci_nodes SOCK NAME: the live node count of the stash's filter NAME
oci_nodes() {
	sfdctl info --socket "$1" --name "$2" | sed -n 's/^ *nodes: *//p'
}

mkdir -p "$OCI_DIR"
