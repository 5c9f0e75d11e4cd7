// SPDX-License-Identifier: GPL-2.0-or-later
/* kv.c - "key=value" option lists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kv.h"

static int kv_find(const struct kv_list *l, const char *key)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (!strcmp(l->kv[i].key, key))
			return (int)i;
	}
	return -1;
}

bool kv_set(struct kv_list *l, const char *key, const char *val)
{
	int i = kv_find(l, key);

	if (strlen(key) >= KV_KEY_MAX || strlen(val) >= KV_VAL_MAX || !*key)
		return false;
	if (i < 0) {
		if (l->n >= KV_MAX)
			return false;
		i = (int)l->n++;
		strcpy(l->kv[i].key, key);
	}
	strcpy(l->kv[i].val, val);
	l->used &= ~(1ull << i);
	return true;
}

bool kv_parse(struct kv_list *l, int argc, char *const argv[], char *err, size_t errsz)
{
	for (int i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		char key[KV_KEY_MAX];
		size_t klen;

		if (!eq || eq == argv[i]) {
			snprintf(err, errsz, "option '%.64s' is not key=value", argv[i]);
			return false;
		}
		klen = (size_t)(eq - argv[i]);
		if (klen >= KV_KEY_MAX || strlen(eq + 1) >= KV_VAL_MAX) {
			snprintf(err, errsz, "option '%.64s' is too long", argv[i]);
			return false;
		}
		memcpy(key, argv[i], klen);
		key[klen] = '\0';
		if (!kv_set(l, key, eq + 1)) {
			snprintf(err, errsz, "too many options (at most %d)", KV_MAX);
			return false;
		}
	}
	return true;
}

const char *kv_get(struct kv_list *l, const char *key)
{
	int i = kv_find(l, key);

	if (i < 0)
		return NULL;
	l->used |= 1ull << i;
	return l->kv[i].val;
}

bool kv_get_u64(struct kv_list *l, const char *key, uint64_t min, uint64_t max, uint64_t *out,
		char *err, size_t errsz)
{
	const char *v = kv_get(l, key);
	unsigned long long x;
	char *end;

	if (!v)
		return true;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (!*v || *end || errno || *v == '-' || x < min || x > max) {
		snprintf(err, errsz, "%s=%.64s: expected an integer from %llu to %llu", key, v,
			 (unsigned long long)min, (unsigned long long)max);
		return false;
	}
	*out = x;
	return true;
}

const char *kv_first_unused(const struct kv_list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (!(l->used & (1ull << i)))
			return l->kv[i].key;
	}
	return NULL;
}

void kv_del(struct kv_list *l, const char *key)
{
	int i = kv_find(l, key);

	if (i < 0)
		return;
	memmove(&l->kv[i], &l->kv[i + 1], (l->n - (unsigned)i - 1) * sizeof(l->kv[0]));
	l->n--;
	l->used = 0;
}
