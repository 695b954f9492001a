// SPDX-License-Identifier: GPL-2.0
/* The trivial program sfd-scenarios' "spawn" executes: exits 0. */
int main(void)
{
	return 0;
}
