/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kv.h - "key=value" option lists, the one form options take everywhere:
 * on the vnetctl command line, in control requests and in the config file.
 */
#ifndef VNET_KV_H
#define VNET_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KV_MAX 32 /* options in one list */
#define KV_KEY_MAX 32 /* bytes in a key, including NUL */
#define KV_VAL_MAX 256 /* bytes in a value, including NUL */

struct kv {
	char key[KV_KEY_MAX];
	char val[KV_VAL_MAX];
};

/**
 * struct kv_list - an ordered set of options; a later key replaces an earlier one
 * @n:    options in use
 * @used: bit i set when option i was consumed by kv_get*(), to find unknown keys
 */
struct kv_list {
	unsigned n;
	uint64_t used;
	struct kv kv[KV_MAX];
};

/**
 * kv_parse() - add "key=value" strings to @l
 * @err: on failure, a one-line reason
 * Return: true on success
 */
bool kv_parse(struct kv_list *l, int argc, char *const argv[], char *err, size_t errsz);
/** kv_set() - set @key to @val (replacing). Return: false if too long or full */
bool kv_set(struct kv_list *l, const char *key, const char *val);
/** kv_get() - value of @key or NULL; marks it used */
const char *kv_get(struct kv_list *l, const char *key);
/**
 * kv_get_u64() - parse @key as a decimal integer in [@min, @max]
 * Return: true if absent (then *@out is left alone) or valid; false with @err set otherwise.
 */
bool kv_get_u64(struct kv_list *l, const char *key, uint64_t min, uint64_t max, uint64_t *out,
		char *err, size_t errsz);
/** kv_first_unused() - the first key nobody consumed, or NULL */
const char *kv_first_unused(const struct kv_list *l);
/** kv_del() - remove @key if present */
void kv_del(struct kv_list *l, const char *key);

#endif /* VNET_KV_H */
