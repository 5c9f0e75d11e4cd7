// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_dummy.c - dummy/inject and dummy/capture: frames in and out of dummy ports, for tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/pkt.h"
#include "../base/util.h"
#include "../port/dummy.h"
#include "../switch/bridge.h"
#include "cmd_table.h"
#include "vnetd.h"

#define CMD_DUMMY_FRAME_MAX PKT_DATA_MAX

static struct port *cmd_dummy_port(struct vnetd *d, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct port *p;

	if (!br)
		return NULL;
	p = cmd_lookup_port(br, argv[1], r);
	if (p && !dummy_is(p)) {
		cmd_error(r, EINVAL, "port %s is a %s port, not a dummy port", p->name,
			  p->ops->type);
		return NULL;
	}
	return p;
}

/* vnet=FLAGS,GSO_TYPE,HDR_LEN,GSO_SIZE,CSUM_START,CSUM_OFFSET: the virtio-net header, in order */
static bool cmd_dummy_parse_vnet(const char *arg, struct virtio_net_hdr *vh, struct cmd_reply *r)
{
	static const uint64_t max[6] = { 0xff, 0xff, 0xffff, 0xffff, 0xffff, 0xffff };
	uint64_t v[6];
	char buf[128], *save = NULL, *tok;
	int n = 0;

	if (strncmp(arg, "vnet=", 5) || strlen(arg + 5) >= sizeof(buf))
		goto bad;
	strcpy(buf, arg + 5);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == 6 || !cmd_parse_u64(tok, 0, max[n], true, &v[n]))
			goto bad;
		n++;
	}
	if (n != 6)
		goto bad;
	*vh = (struct virtio_net_hdr){ .flags = (uint8_t)v[0],
				       .gso_type = (uint8_t)v[1],
				       .hdr_len = (uint16_t)v[2],
				       .gso_size = (uint16_t)v[3],
				       .csum_start = (uint16_t)v[4],
				       .csum_offset = (uint16_t)v[5] };
	return true;
bad:
	cmd_error(r, EINVAL,
		  "dummy/inject: expected vnet=FLAGS,GSO_TYPE,HDR_LEN,GSO_SIZE,CSUM_START,"
		  "CSUM_OFFSET, got '%.64s'",
		  arg);
	return false;
}

int cmd_dummy_inject(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct port *p = cmd_dummy_port(d, argv, r);
	struct virtio_net_hdr vh;
	uint8_t *frame;
	size_t size;
	int rc;

	if (!p)
		return -EINVAL;
	if (argc == 4 && !cmd_dummy_parse_vnet(argv[3], &vh, r))
		return -EINVAL;
	frame = malloc(CMD_DUMMY_FRAME_MAX);
	if (!frame)
		return cmd_error(r, ENOMEM, "dummy/inject: out of memory");
	if (!cmd_hex_decode(argv[2], frame, CMD_DUMMY_FRAME_MAX, &size)) {
		free(frame);
		return cmd_error(r, EINVAL, "dummy/inject: the frame must be hex digits");
	}
	rc = dummy_inject(p, frame, size, argc == 4 ? &vh : NULL);
	free(frame);
	if (rc < 0)
		return cmd_error(r, -rc, "dummy/inject on %s: %s", p->name, strerror(-rc));
	return 0;
}

int cmd_dummy_capture(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct port *p = cmd_dummy_port(d, argv, r);
	uint64_t max = DUMMY_CAPTURE_MAX;
	uint8_t *frame;
	json_t *arr;
	size_t size;

	if (!p)
		return -EINVAL;
	if (argc == 3 && (strncmp(argv[2], "max=", 4) ||
			  !cmd_parse_u64(argv[2] + 4, 1, DUMMY_CAPTURE_MAX, false, &max)))
		return cmd_error(r, EINVAL, "dummy/capture: expected max=1..%d, got '%.64s'",
				 DUMMY_CAPTURE_MAX, argv[2]);
	frame = malloc(CMD_DUMMY_FRAME_MAX);
	if (!frame)
		return cmd_error(r, ENOMEM, "dummy/capture: out of memory");
	arr = json_array();
	r->result = arr;
	for (uint64_t i = 0; i < max && dummy_capture_next(p, frame, CMD_DUMMY_FRAME_MAX, &size);
	     i++) {
		char *hex = cmd_hex_encode(frame, MIN(size, (size_t)CMD_DUMMY_FRAME_MAX));

		if (!hex)
			break;
		json_array_append_new(arr, json_string(hex));
		fprintf(r->text, "%s\n", hex);
		free(hex);
	}
	free(frame);
	return 0;
}
