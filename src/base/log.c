// SPDX-License-Identifier: GPL-2.0-or-later
/* log.c - leveled logging with syslog-style "<N>" prefixes that journald understands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static enum log_level log_level = LOG_LVL_INFO;

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

bool log_parse_level(const char *s, enum log_level *lvl)
{
	static const struct {
		const char *name;
		enum log_level lvl;
	} names[] = { { "err", LOG_LVL_ERR },	{ "error", LOG_LVL_ERR },
		      { "warn", LOG_LVL_WARN }, { "warning", LOG_LVL_WARN },
		      { "info", LOG_LVL_INFO }, { "debug", LOG_LVL_DEBUG } };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i].name)) {
			*lvl = names[i].lvl;
			return true;
		}
	}
	return false;
}

static void log_vprint(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *tag[8] = { "", "", "", "error: ", "warning: ", "", "", "debug: " };
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "<%d>%s", (int)lvl, tag[lvl & 7]);
	if (n < 0)
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	log_vprint(lvl, fmt, ap);
	va_end(ap);
}

bool ratelimit_ok(struct ratelimit *rl)
{
	uint64_t now = now_ns();

	if (rl->last_ns == 0)
		rl->last_ns = now;
	if (now - rl->last_ns >= rl->interval_ns) {
		uint64_t n = (now - rl->last_ns) / rl->interval_ns;

		rl->tokens = (uint32_t)MIN((uint64_t)rl->burst, rl->tokens + n);
		rl->last_ns = now;
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	if (rl->suppressed) {
		log_msg(LOG_LVL_WARN, "%llu similar messages suppressed",
			(unsigned long long)rl->suppressed);
		rl->suppressed = 0;
	}
	return true;
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
