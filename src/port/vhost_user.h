/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost_user.h - the vhost-user port type: a VM's virtio-net device served
 * from its shared memory (QEMU, cloud-hypervisor, DPDK virtio-user).
 *
 * Options: mode=server|client path=SOCKET [queues=N] [mac=MAC]
 * [socket_mode=OCTAL] [zerocopy=on|off] [busy_poll_us=N]. See
 * doc/vhost-user.md. The wire format below follows QEMU's
 * docs/interop/vhost-user.rst; it is public so that test tools (the
 * hostile client, the fuzzers) speak exactly what the port parses.
 */
#ifndef VNET_VHOST_USER_H
#define VNET_VHOST_USER_H

#include <stdint.h>

#include "port.h"
#include "vhost_mem.h"

#define VHOST_USER_QUEUES_MAX 16 /* queue pairs per port (queues=) */
#define VHOST_USER_VRINGS_MAX (2 * VHOST_USER_QUEUES_MAX)
#define VHOST_USER_PAYLOAD_MAX 4096 /* larger messages are refused */
#define VHOST_USER_FDS_MAX 8 /* fds in one message (the protocol's limit) */
#define VHOST_USER_BUSY_POLL_US_DEFAULT 50
#define VHOST_USER_BUSY_POLL_US_MAX 10000

extern const struct port_ops vhost_user_port_ops;

/* Front-end requests (vhost-user.rst, "Front-end message types"). */
enum vhost_user_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_RESET_OWNER = 4,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_LOG_BASE = 6,
	VHOST_USER_SET_LOG_FD = 7,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_SET_VRING_ERR = 14,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_SEND_RARP = 19,
	VHOST_USER_NET_SET_MTU = 20,
	VHOST_USER_RESET_DEVICE = 34,
	VHOST_USER_GET_MAX_MEM_SLOTS = 36,
	VHOST_USER_ADD_MEM_REG = 37,
	VHOST_USER_REM_MEM_REG = 38,
	VHOST_USER_REQUEST_MAX = 64 /* requests are looked up in a table this long */
};

/* Header flags */
#define VHOST_USER_VERSION 0x1
#define VHOST_USER_VERSION_MASK 0x3
#define VHOST_USER_REPLY 0x4
#define VHOST_USER_NEED_REPLY 0x8

/* Protocol feature bits */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_LOG_SHMFD 1
#define VHOST_USER_PROTOCOL_F_RARP 2
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_NET_MTU 4
#define VHOST_USER_PROTOCOL_F_RESET_DEVICE 13
#define VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS 15

/* Virtio feature bits used by vhost-user besides linux/virtio_*.h */
#define VHOST_USER_F_PROTOCOL_FEATURES 30
#define VHOST_USER_VRING_IDX_MASK 0xff /* SET_VRING_KICK/CALL/ERR payload */
#define VHOST_USER_VRING_NOFD 0x100

struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes */
} __attribute__((packed));

struct vhost_user_state {
	uint32_t index;
	uint32_t num;
} __attribute__((packed));

struct vhost_user_addr {
	uint32_t index;
	uint32_t flags; /* VHOST_VRING_F_LOG */
	uint64_t desc; /* front-end user addresses */
	uint64_t used;
	uint64_t avail;
	uint64_t log; /* guest physical address of the used ring, for the dirty log */
} __attribute__((packed));

struct vhost_user_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t qva;
	uint64_t mmap_offset;
} __attribute__((packed));

struct vhost_user_memory {
	uint32_t nregions;
	uint32_t padding;
	struct vhost_user_region regions[VHOST_MEM_SET_TABLE_MAX];
} __attribute__((packed));

struct vhost_user_mem_reg {
	uint64_t padding;
	struct vhost_user_region region;
} __attribute__((packed));

struct vhost_user_log {
	uint64_t size;
	uint64_t offset;
} __attribute__((packed));

/**
 * struct vhost_user_msg - one message as it travels on the socket
 * Only @hdr.size bytes of @payload are sent.
 */
struct vhost_user_msg {
	struct vhost_user_hdr hdr;
	union {
		uint64_t u64;
		struct vhost_user_state state;
		struct vhost_user_addr addr;
		struct vhost_user_memory memory;
		struct vhost_user_mem_reg mem_reg;
		struct vhost_user_log log;
		uint8_t raw[VHOST_USER_PAYLOAD_MAX];
	} payload;
} __attribute__((packed));

#endif /* VNET_VHOST_USER_H */
