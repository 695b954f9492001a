/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included ahead of each of the kernel tree's seccomp selftests (make tests,
 * -include): the kselftest harness with a longer default time limit per
 * test. The harness's 30 s assume native speed; under QEMU's TCG a test
 * runs tens of times slower, and more on a loaded host. seccomp_bpf's
 * user_notification_wait_killable_after_reply makes 100,000 notification
 * round trips and has run out of 30 s there while passing every check.
 * The tests themselves are unchanged: the harness's include guard keeps
 * their own #include from reading it again, and TEST() takes the limit
 * when it expands, in the test's source, after this definition. Tests
 * that set their own limit keep it.
 */
#include "kselftest_harness.h"

#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT	300
