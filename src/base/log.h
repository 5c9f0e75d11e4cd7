/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h - leveled logging to stderr (journald-friendly), with rate limiting for the datapath. */
#ifndef VNET_LOG_H
#define VNET_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

/**
 * log_set_level() - only messages at @lvl or more severe are printed
 */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/**
 * log_parse_level() - "err", "warn", "info" or "debug" to a level; false if unknown
 */
bool log_parse_level(const char *s, enum log_level *lvl);

void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/**
 * struct ratelimit - token bucket for log lines: @burst lines, then one per @interval_ns
 * @interval_ns: refill interval
 * @burst:       lines allowed back to back
 * @tokens:      lines left now
 * @last_ns:     last refill
 * @suppressed:  lines dropped since the last printed one
 */
struct ratelimit {
	uint64_t interval_ns;
	uint32_t burst;
	uint32_t tokens;
	uint64_t last_ns;
	uint64_t suppressed;
};

#define RATELIMIT_INIT                                                \
	{                                                             \
		.interval_ns = 1000000000ull, .burst = 5, .tokens = 5 \
	}

/**
 * ratelimit_ok() - may a line be logged now? Counts the ones that may not.
 */
bool ratelimit_ok(struct ratelimit *rl);

/* Log at most a few lines per second from one call site (datapath drops, hostile peers). */
#define log_ratelimited(lvl, ...)                             \
	do {                                                  \
		static struct ratelimit rl_ = RATELIMIT_INIT; \
		if (ratelimit_ok(&rl_))                       \
			log_msg(lvl, __VA_ARGS__);            \
	} while (0)

/* die() - startup only: print and exit(1). Never on the datapath. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* VNET_LOG_H */
