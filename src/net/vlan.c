// SPDX-License-Identifier: GPL-2.0-or-later
/* vlan.c - 802.1Q port VLAN modes: config parsing, ingress classification, egress tagging. */
/*
 * The semantics are Open vSwitch's (see vlan.h). One choice goes beyond the
 * header: a priority-tagged frame (VID 0) whose next header is another VLAN
 * tag is dropped as stacked on every port type, not only on access ports.
 * Once the priority tag is read as "untagged", what remains is a tagged
 * frame that the port never classified, so forwarding it would let the
 * sender reach a VLAN its port does not allow (double-tagging hop). A
 * stacked frame with a non-zero outer VID on a trunk is ordinary QinQ
 * payload and passes.
 */
#include <stdio.h>
#include <string.h>

#include "vlan.h"

#define VLAN_N_IDS 4096
#define VLAN_TAG_MIN 1
#define VLAN_TAG_MAX 4094

static inline bool vlan_bit(const struct vlan_cfg *c, uint16_t vid)
{
	return c->trunks[vid / 64] >> (vid % 64) & 1;
}

void vlan_cfg_default(struct vlan_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = VLAN_MODE_TRUNK;
	c->trunks_all = true;
}

const char *vlan_mode_name(enum vlan_mode m)
{
	switch (m) {
	case VLAN_MODE_TRUNK:
		return "trunk";
	case VLAN_MODE_ACCESS:
		return "access";
	case VLAN_MODE_NATIVE_TAGGED:
		return "native-tagged";
	case VLAN_MODE_NATIVE_UNTAGGED:
		return "native-untagged";
	}
	return "?";
}

/* Decimal VLAN id at *@s (digits only), advancing *@s. Return: false if none or > 4095. */
static bool vlan_parse_id(const char **s, uint16_t *vid)
{
	const char *p = *s;
	unsigned v = 0;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned)(*p++ - '0');
		if (v >= VLAN_N_IDS)
			return false;
	}
	*s = p;
	*vid = (uint16_t)v;
	return true;
}

static bool vlan_parse_mode(const char *s, enum vlan_mode *m)
{
	static const enum vlan_mode modes[] = { VLAN_MODE_TRUNK, VLAN_MODE_ACCESS,
						VLAN_MODE_NATIVE_TAGGED,
						VLAN_MODE_NATIVE_UNTAGGED };

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(s, vlan_mode_name(modes[i]))) {
			*m = modes[i];
			return true;
		}
	}
	return false;
}

/* One VLAN id of a trunks list at *@p, or a reason in @err naming the whole list @s. */
static bool vlan_parse_trunk_id(const char **p, uint16_t *vid, const char *s, char *err,
				size_t errsz)
{
	if (**p < '0' || **p > '9') {
		snprintf(err, errsz, "trunks=%s: expected a list like 10,20,30-40 (no spaces)", s);
		return false;
	}
	if (!vlan_parse_id(p, vid)) {
		snprintf(err, errsz, "trunks=%s: VLAN id must be 0..4095", s);
		return false;
	}
	return true;
}

static bool vlan_parse_trunks(struct vlan_cfg *c, const char *s, char *err, size_t errsz)
{
	const char *p = s;

	memset(c->trunks, 0, sizeof(c->trunks));
	c->trunks_all = !*s;
	while (*p) {
		uint16_t lo, hi;

		if (!vlan_parse_trunk_id(&p, &lo, s, err, errsz))
			return false;
		hi = lo;
		if (*p == '-') {
			p++;
			if (!vlan_parse_trunk_id(&p, &hi, s, err, errsz))
				return false;
			if (hi < lo) {
				snprintf(err, errsz, "trunks=%s: range %u-%u runs backwards", s, lo,
					 hi);
				return false;
			}
		}
		for (unsigned v = lo; v <= hi; v++)
			c->trunks[v / 64] |= 1ull << (v % 64);
		if (*p == ',' && p[1]) {
			p++;
		} else if (*p) {
			snprintf(err, errsz,
				 "trunks=%s: expected a list like 10,20,30-40 (no spaces)", s);
			return false;
		}
	}
	return true;
}

bool vlan_cfg_parse(struct vlan_cfg *c, const char *mode, const char *tag, const char *trunks,
		    char *err, size_t errsz)
{
	struct vlan_cfg n;

	vlan_cfg_default(&n);
	if (errsz)
		err[0] = '\0';

	if (mode) {
		if (!vlan_parse_mode(mode, &n.mode)) {
			snprintf(err, errsz,
				 "vlan_mode=%s: must be trunk, access, native-tagged or "
				 "native-untagged",
				 mode);
			return false;
		}
	} else {
		n.mode = tag ? VLAN_MODE_ACCESS : VLAN_MODE_TRUNK;
	}

	if (tag) {
		const char *p = tag;

		if (!vlan_parse_id(&p, &n.tag) || *p || n.tag < VLAN_TAG_MIN ||
		    n.tag > VLAN_TAG_MAX) {
			snprintf(err, errsz, "tag=%s: VLAN id must be 1..4094", tag);
			return false;
		}
	}

	if (trunks && !vlan_parse_trunks(&n, trunks, err, errsz))
		return false;

	switch (n.mode) {
	case VLAN_MODE_TRUNK:
		if (tag) {
			snprintf(err, errsz,
				 "tag=%s: a trunk port takes no tag (use native-tagged or "
				 "native-untagged for a native VLAN)",
				 tag);
			return false;
		}
		break;
	case VLAN_MODE_ACCESS:
		if (!tag) {
			snprintf(err, errsz, "vlan_mode=access needs tag=1..4094");
			return false;
		}
		if (!n.trunks_all) {
			snprintf(err, errsz, "trunks=%s: an access port carries only its tag VLAN",
				 trunks);
			return false;
		}
		break;
	case VLAN_MODE_NATIVE_TAGGED:
	case VLAN_MODE_NATIVE_UNTAGGED:
		if (!tag) {
			snprintf(err, errsz, "vlan_mode=%s needs tag=1..4094 (the native VLAN)",
				 vlan_mode_name(n.mode));
			return false;
		}
		break;
	}
	*c = n;
	return true;
}

char *vlan_trunks_format(const struct vlan_cfg *c, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	if (c->trunks_all)
		return buf;
	for (unsigned v = 0; v < VLAN_N_IDS; v++) {
		unsigned end = v;
		int n;

		if (!vlan_bit(c, (uint16_t)v))
			continue;
		while (end + 1 < VLAN_N_IDS && vlan_bit(c, (uint16_t)(end + 1)))
			end++;
		if (end == v)
			n = snprintf(buf + len, size - len, "%s%u", len ? "," : "", v);
		else
			n = snprintf(buf + len, size - len, "%s%u-%u", len ? "," : "", v, end);
		/* out of room: snprintf already cut and terminated the text */
		if (n < 0 || (size_t)n >= size - len)
			return buf;
		len += (size_t)n;
		v = end;
	}
	return buf;
}

bool vlan_member(const struct vlan_cfg *c, uint16_t vid)
{
	if (vid >= VLAN_N_IDS)
		return false;
	switch (c->mode) {
	case VLAN_MODE_ACCESS:
		return vid == c->tag;
	case VLAN_MODE_NATIVE_TAGGED:
	case VLAN_MODE_NATIVE_UNTAGGED:
		if (vid == c->tag)
			return true;
		/* fall through */
	case VLAN_MODE_TRUNK:
		return c->trunks_all || vlan_bit(c, vid);
	}
	return false;
}

bool vlan_ingress(const struct vlan_cfg *c, bool tagged, uint16_t vid, bool inner_tagged,
		  uint16_t *vlan, enum drop_reason *why)
{
	bool untagged = !tagged || vid == 0;

	if (tagged && vid >= VLAN_N_IDS) {
		*why = DROP_VLAN_NOT_ALLOWED;
		return false;
	}
	if (c->mode == VLAN_MODE_ACCESS && !untagged) {
		*why = DROP_TAGGED_ON_ACCESS;
		return false;
	}
	/* only a frame that had a tag can have a second one */
	if (tagged && vid == 0 && inner_tagged) {
		*why = DROP_STACKED_VLAN;
		return false;
	}

	switch (c->mode) {
	case VLAN_MODE_TRUNK:
		*vlan = untagged ? 0 : vid;
		break;
	case VLAN_MODE_ACCESS:
		*vlan = c->tag;
		return true;
	case VLAN_MODE_NATIVE_TAGGED:
	case VLAN_MODE_NATIVE_UNTAGGED:
		*vlan = untagged ? c->tag : vid;
		break;
	default:
		*why = DROP_VLAN_NOT_ALLOWED;
		return false;
	}
	if (!vlan_member(c, *vlan)) {
		*why = DROP_VLAN_NOT_ALLOWED;
		return false;
	}
	return true;
}

bool vlan_egress_tagged(const struct vlan_cfg *c, uint16_t vid)
{
	switch (c->mode) {
	case VLAN_MODE_TRUNK:
		return vid != 0;
	case VLAN_MODE_ACCESS:
		return false;
	case VLAN_MODE_NATIVE_TAGGED:
		return vid != 0; /* VLAN 0 means "no VLAN": never tagged, as in OVS */
	case VLAN_MODE_NATIVE_UNTAGGED:
		return vid != 0 && vid != c->tag;
	}
	return false;
}
