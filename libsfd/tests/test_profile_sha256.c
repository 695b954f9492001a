// SPDX-License-Identifier: LGPL-2.1-only OR MIT
/*
 * The SHA-256 behind sfd_profile_digest(), against FIPS 180-4's examples
 * and lengths around the padding boundary (a static-only test: it calls
 * the hidden sfd__sha256()).
 */
#include <stdlib.h>

#include "sfd.h"
#include "../src/profile_sha256.h"
#include "tap.h"

static int hex_is(const uint8_t d[SFD_SHA256_SIZE], const char *want)
{
	char got[2 * SFD_SHA256_SIZE + 1];
	int i;

	for (i = 0; i < SFD_SHA256_SIZE; i++)
		snprintf(got + 2 * i, 3, "%02x", d[i]);
	if (strcmp(got, want)) {
		printf("# got  %s\n# want %s\n", got, want);
		return 0;
	}
	return 1;
}

static int fips_examples(void)
{
	uint8_t d[SFD_SHA256_SIZE];
	char *million;

	sfd__sha256("", 0, d);
	CHECK(hex_is(d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
	sfd__sha256("abc", 3, d);
	CHECK(hex_is(d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	/* 56 bytes: the length no longer fits the first padding block. */
	sfd__sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	CHECK(hex_is(d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
	million = malloc(1000000);
	CHECK(million);
	memset(million, 'a', 1000000);
	sfd__sha256(million, 1000000, d);
	free(million);
	CHECK(hex_is(d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
	return PASS;
}

static const struct tap_test tests[] = {
	{ "fips_examples", fips_examples },
};

TAP_MAIN(tests)
