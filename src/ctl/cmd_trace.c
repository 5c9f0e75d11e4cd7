// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_trace.c - trace: run one synthetic frame through a switch's forwarding
 * decisions (bridge_trace) and print each of them, as ofproto/trace does.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/kv.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "../switch/bridge.h"
#include "cmd_table.h"
#include "vnetd.h"

#define CMD_TRACE_FRAME_MAX 65536 /* bytes; the request limit keeps hex frames well below */

/*
 * Build a frame from src=MAC dst=MAC [vlan=N] [pcp=N] [type=0xNNNN]: Ethernet
 * header, an 802.1Q tag if vlan= is given (vlan=0: priority-tagged), and a
 * zero payload up to the minimum frame size.
 */
static bool cmd_trace_build(int argc, char **argv, uint8_t *frame, size_t *size,
			    struct cmd_reply *r)
{
	struct kv_list kv = { 0 };
	const char *src, *dst, *vlan, *pcp, *type;
	uint64_t vid = 0, prio = 0, etype = ETH_P_IP_;
	size_t off = 12;
	const char *unused;

	if (!cmd_parse_opts(&kv, argc, argv, r))
		return false;
	src = kv_get(&kv, "src");
	dst = kv_get(&kv, "dst");
	vlan = kv_get(&kv, "vlan");
	pcp = kv_get(&kv, "pcp");
	type = kv_get(&kv, "type");
	unused = kv_first_unused(&kv);
	if (unused) {
		cmd_error(r, EINVAL, "trace: unknown option '%s' (src= dst= vlan= pcp= type=)",
			  unused);
		return false;
	}
	if (!src || !dst) {
		cmd_error(r, EINVAL, "trace: src=MAC and dst=MAC are required");
		return false;
	}
	if (!eth_mac_parse(dst, frame) || !eth_mac_parse(src, frame + 6)) {
		cmd_error(r, EINVAL, "trace: invalid MAC address in src=%.20s dst=%.20s", src, dst);
		return false;
	}
	if (vlan && !cmd_parse_u64(vlan, 0, 4095, false, &vid)) {
		cmd_error(r, EINVAL, "trace: vlan=%.20s: expected 0..4095", vlan);
		return false;
	}
	if (pcp && !cmd_parse_u64(pcp, 0, 7, false, &prio)) {
		cmd_error(r, EINVAL, "trace: pcp=%.20s: expected 0..7", pcp);
		return false;
	}
	if (type && !cmd_parse_u64(type, 0, 0xffff, true, &etype)) {
		cmd_error(r, EINVAL, "trace: type=%.20s: expected an EtherType such as 0x0800",
			  type);
		return false;
	}
	if (vlan || pcp) {
		uint16_t tci = (uint16_t)(prio << 13 | vid);

		frame[off++] = ETH_P_8021Q_ >> 8;
		frame[off++] = ETH_P_8021Q_ & 0xff;
		frame[off++] = (uint8_t)(tci >> 8);
		frame[off++] = (uint8_t)tci;
	}
	frame[off++] = (uint8_t)(etype >> 8);
	frame[off++] = (uint8_t)etype;
	memset(frame + off, 0, ETH_ZLEN - off);
	*size = ETH_ZLEN;
	return true;
}

static void cmd_trace_report(const struct bridge *br, const struct bridge_trace *tr,
			     struct cmd_reply *r)
{
	json_t *lines = json_array(), *outs = json_array();

	for (unsigned i = 0; i < tr->n && i < BRIDGE_TRACE_LINES; i++) {
		json_array_append_new(lines, json_string(tr->line[i]));
		fprintf(r->text, "%s\n", tr->line[i]);
	}
	/* bridge_trace()'s own lines already end with the verdict; the outputs go to JSON. */
	for (unsigned i = 0; !tr->dropped && i < tr->n_out && i < BRIDGE_MAX_PORTS; i++) {
		uint16_t idx = tr->out_port[i], tci = tr->out_tci[i];
		const char *name =
			idx < BRIDGE_MAX_PORTS && br->ports[idx] ? br->ports[idx]->name : "?";

		json_array_append_new(outs,
				      json_pack("{s:s, s:b, s:i, s:i}", "port", name, "tagged",
						tci != 0, "vlan", tci & 0xfff, "pcp", tci >> 13));
	}
	r->result = json_pack("{s:o, s:o, s:b, s:s}", "lines", lines, "outputs", outs, "dropped",
			      tr->dropped, "drop_reason", tr->dropped ? tr->drop_reason : "");
}

int cmd_trace(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct bridge_trace *tr;
	struct port *in;
	uint8_t *frame;
	size_t size;
	bool ok;

	if (!br)
		return -ENOENT;
	in = cmd_lookup_port(br, argv[1], r);
	if (!in)
		return -ENOENT;
	frame = malloc(CMD_TRACE_FRAME_MAX);
	if (!frame)
		return cmd_error(r, ENOMEM, "trace: out of memory");
	if (strchr(argv[2], '=')) {
		ok = cmd_trace_build(argc - 2, argv + 2, frame, &size, r);
	} else if (argc != 3) {
		ok = false;
		cmd_error(r, EINVAL, "trace: give either FRAMEHEX or src=MAC dst=MAC ...");
	} else {
		ok = cmd_hex_decode(argv[2], frame, CMD_TRACE_FRAME_MAX, &size);
		if (!ok)
			cmd_error(r, EINVAL,
				  "trace: the frame must be hex digits (at most %d bytes)",
				  CMD_TRACE_FRAME_MAX);
		else if (size < ETH_HLEN)
			ok = cmd_error(r, EINVAL,
				       "trace: a %zu-byte frame has no Ethernet header (%d bytes)",
				       size, ETH_HLEN) == 0;
	}
	if (!ok) {
		free(frame);
		return -EINVAL;
	}
	tr = calloc(1, sizeof(*tr));
	if (!tr) {
		free(frame);
		return cmd_error(r, ENOMEM, "trace: out of memory");
	}
	bridge_trace(br, in, frame, size, tr);
	cmd_trace_report(br, tr, r);
	free(tr);
	free(frame);
	return 0;
}
