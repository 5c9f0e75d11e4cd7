/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vlan.h - 802.1Q port VLAN modes, with Open vSwitch's names and semantics
 * (vswitchd/vswitch.xml, "VLAN Configuration"):
 *
 *  trunk            frames carry their own VLAN; untagged (or VID 0) frames are
 *                   VLAN 0. Allowed VLANs are @trunks (empty = all). Egress is
 *                   tagged unless the VLAN is 0.
 *  access           one VLAN, @tag. Untagged and priority-tagged (VID 0) frames
 *                   join it; any frame with a non-zero VID is dropped (no VLAN
 *                   hopping). Egress is untagged.
 *  native-tagged    a trunk whose untagged frames join the native VLAN @tag;
 *                   egress is always tagged, native VLAN included.
 *  native-untagged  the same, but egress in the native VLAN is untagged.
 *
 * For the native modes the native VLAN is implicitly allowed on top of
 * @trunks. A frame tagged with VID 0 is priority-tagged: treated as untagged,
 * its PCP kept.
 */
#ifndef VNET_VLAN_H
#define VNET_VLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/drop.h"

enum vlan_mode {
	VLAN_MODE_TRUNK,
	VLAN_MODE_ACCESS,
	VLAN_MODE_NATIVE_TAGGED,
	VLAN_MODE_NATIVE_UNTAGGED
};

/**
 * struct vlan_cfg - a port's VLAN configuration
 * @mode:   see above
 * @tag:    access VLAN or native VLAN (1..4094); 0 for trunk
 * @trunks: bitmap of allowed VLANs (bit v of word v/64)
 * @trunks_all: @trunks is empty, i.e. every VLAN is allowed
 */
struct vlan_cfg {
	enum vlan_mode mode;
	uint16_t tag;
	bool trunks_all;
	uint64_t trunks[4096 / 64];
};

/** vlan_cfg_default() - trunk of all VLANs, as Open vSwitch does for a port with no VLAN settings */
void vlan_cfg_default(struct vlan_cfg *c);

/**
 * vlan_cfg_parse() - build a config from vlan_mode=, tag=, trunks= strings (NULL = absent)
 * Missing vlan_mode, as in OVS: access if a tag is given, trunk otherwise.
 * access needs a tag and refuses trunks; trunk refuses a tag; the native
 * modes need a tag. VLAN ids are 1..4094 in tags and 0..4095 in trunks.
 * Return: true, or false with a one-line reason in @err.
 */
bool vlan_cfg_parse(struct vlan_cfg *c, const char *mode, const char *tag, const char *trunks,
		    char *err, size_t errsz);

/** vlan_mode_name() - "trunk", "access", "native-tagged" or "native-untagged" */
const char *vlan_mode_name(enum vlan_mode m);
/** vlan_trunks_format() - "10,20,30-40" ("" for all) into @buf. Return: @buf */
char *vlan_trunks_format(const struct vlan_cfg *c, char *buf, size_t size);

/** vlan_member() - does VLAN @vid flow through a port with config @c? */
bool vlan_member(const struct vlan_cfg *c, uint16_t vid);

/**
 * vlan_ingress() - which VLAN does a frame arriving on the port belong to?
 * @tagged: the frame had an 802.1Q tag (priority tags included)
 * @vid:    its VID (0 for priority-tagged), ignored if !@tagged
 * @inner_tagged: another tag follows the first (stacked)
 * @vlan:   out: the frame's VLAN
 * @why:    out: drop reason when false is returned
 * Return: true to accept the frame.
 */
bool vlan_ingress(const struct vlan_cfg *c, bool tagged, uint16_t vid, bool inner_tagged,
		  uint16_t *vlan, enum drop_reason *why);

/**
 * vlan_egress_tagged() - must a frame in VLAN @vid leave the port with a tag?
 * Only meaningful when vlan_member(c, vid).
 */
bool vlan_egress_tagged(const struct vlan_cfg *c, uint16_t vid);

#endif /* VNET_VLAN_H */
