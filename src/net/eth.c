// SPDX-License-Identifier: GPL-2.0-or-later
/* eth.c - MAC address parsing and formatting. */
#include <stdio.h>

#include "eth.h"

static int eth_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool eth_mac_parse(const char *s, uint8_t mac[static ETH_ALEN])
{
	for (int i = 0; i < ETH_ALEN; i++) {
		int hi = eth_hexval(s[0]), lo = hi < 0 ? -1 : eth_hexval(s[1]);

		if (hi < 0 || lo < 0)
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if (i < ETH_ALEN - 1 && *s++ != ':')
			return false;
	}
	return *s == '\0';
}

char *eth_mac_format(const uint8_t mac[static ETH_ALEN], char buf[static 18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
	return buf;
}
