// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_config.c - libFuzzer target for the configuration file parser (config.json, --config). */

/*
 * Input: the file's bytes. config_parse() either returns a configuration or
 * refuses with a one-line message naming the file, which is checked; the
 * parser runs on libFuzzer's exact-size copy, so ASan sees any overread, and
 * LeakSanitizer any path that forgets to free.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ctl/config.h"

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	struct config *c = config_parse((const char *)data, size, "fuzz.json", err, sizeof(err));

	if (!c) {
		FUZZ_CHECK(err[0] && !strchr(err, '\n'));
		FUZZ_CHECK(!strncmp(err, "fuzz.json", 9));
	}
	config_free(c);
	return 0;
}
