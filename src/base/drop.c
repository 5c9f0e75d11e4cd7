// SPDX-License-Identifier: GPL-2.0-or-later
/* drop.c - names of drop reasons. */
#include "drop.h"

const char *drop_name(enum drop_reason r)
{
	static const char *const names[N_DROP] = {
#define DROP_NAME_(e, name, desc) [DROP_##e] = name,
		DROP_REASONS(DROP_NAME_)
#undef DROP_NAME_
	};

	return (unsigned)r < N_DROP ? names[r] : "unknown";
}
