/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - live capture of one port's frames to a control client
 * (vnetctl capture), through a bounded ring that never blocks the datapath.
 *
 * Theory of operation
 * -------------------
 * The capture command creates a struct capture: a listening unix socket next
 * to the control socket (same mode and group), a random token and a ring of
 * CAPTURE_RING_SIZE bytes. The client connects, sends the token and a
 * newline; only then does the capture switch its port's tap bits on
 * (BRIDGE_TAP_CAP_IN/OUT) and send a START record. From then on the switch
 * calls capture_rx() with every burst the port receives, before any parsing
 * (the frames as they arrived on the port's wire, including frames the switch
 * goes on to drop), and capture_tx() with every burst handed to the port's
 * tx_burst(), with the 802.1Q tag the port inserts. With no capture running
 * the datapath pays one predictable branch on bridge::tapped per burst.
 *
 * Each frame becomes a record (struct capture_rec) in the ring; frames that
 * do not fit are dropped and counted. After each burst the ring is written
 * to the socket with one nonblocking send(); what the socket does not take
 * waits for EPOLLOUT. A client that takes nothing for CAPTURE_STALL_S while
 * frames wait (stopped, or reading too slowly) is disconnected and counted
 * (stalled); one that never connects is dropped after CAPTURE_CONNECT_S
 * (abandoned). count= ends the capture after that many frames; deleting the
 * port ends it too. An ending capture sends an END record (frames taken,
 * frames dropped) and closes once the ring is written.
 *
 * The stream is not pcap: vnetctl turns the records into pcap with libpcap,
 * so the file format is never written by hand.
 */
#ifndef VNET_CAPTURE_H
#define VNET_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/evloop.h"
#include "../base/pkt.h"
#include "../port/port.h"

#define CAPTURE_MAX 8 /* captures at once per switch */
#define CAPTURE_RING_SIZE (4u << 20) /* bytes buffered per capture; a power of two */
#define CAPTURE_SNAPLEN_MIN 64 /* bytes kept per frame, at least */
#define CAPTURE_SNAPLEN_MAX 262144 /* libpcap's largest snapshot length */
#define CAPTURE_CONNECT_S 10 /* a capture whose client has not connected by then is dropped */
#define CAPTURE_STALL_S 3 /* a client that drains nothing this long while frames wait is dropped */
#define CAPTURE_TOKEN_LEN 32 /* hex digits of the token the client sends first */
#define CAPTURE_PATH_MAX 108 /* bytes in a unix socket path, NUL included */

/* Which frames of the port: received from its peer, sent to it, or both. */
#define CAPTURE_DIR_IN 1u
#define CAPTURE_DIR_OUT 2u
#define CAPTURE_DIR_BOTH (CAPTURE_DIR_IN | CAPTURE_DIR_OUT)

/* Record types in the stream. */
enum capture_rec_type {
	CAPTURE_REC_START = 1, /* the capture runs; @len is the snap length */
	CAPTURE_REC_FRAME = 2, /* @caplen bytes of a frame follow */
	CAPTURE_REC_END = 3, /* a struct capture_rec_end follows; the stream ends */
};

/**
 * struct capture_rec - header of one record in the stream (host byte order:
 * the client runs on the same machine)
 * @type:   enum capture_rec_type
 * @caplen: bytes that follow the header
 * @len:    FRAME: the frame's length on the wire (>= @caplen); START: snap length
 * @dir:    FRAME: CAPTURE_DIR_IN or CAPTURE_DIR_OUT
 * @ts_ns:  wall-clock time (CLOCK_REALTIME) in nanoseconds
 */
struct capture_rec {
	uint32_t type;
	uint32_t caplen;
	uint32_t len;
	uint32_t dir;
	uint64_t ts_ns;
};

/** enum capture_end_reason - why a capture ended (struct capture_rec_end) */
enum capture_end_reason {
	CAPTURE_END_COUNT = 1, /* count= frames taken */
	CAPTURE_END_PORT_GONE = 2, /* the port was deleted */
	CAPTURE_END_SHUTDOWN = 3, /* the switch or vnetd went away */
};

/** struct capture_rec_end - payload of the END record */
struct capture_rec_end {
	uint64_t frames; /* frames put in the stream */
	uint64_t dropped; /* frames dropped because the ring was full */
	uint32_t reason; /* enum capture_end_reason */
	uint32_t pad;
};

enum capture_state {
	CAPTURE_LISTENING, /* waiting for the client to connect */
	CAPTURE_HANDSHAKE, /* connected, waiting for the token */
	CAPTURE_RUNNING, /* taking frames */
	CAPTURE_ENDING, /* no more frames; closes when the ring is written */
};

struct bridge;

/**
 * struct capture - one capture session
 * @set:      the switch's capture set
 * @id:       number shown by capture/list (unique per switch)
 * @port:     name of the captured port
 * @port_idx: its index on the switch
 * @dir:      CAPTURE_DIR_*
 * @snaplen:  bytes kept of each frame
 * @count:    frames to take before ending (0: no limit)
 * @state:    enum capture_state
 * @listen:   the listening socket (fd -1 once connected)
 * @conn:     the client connection (fd -1 before)
 * @path:     the listening socket's path (removed once connected)
 * @token:    what the client must send first
 * @hs:       handshake bytes received so far
 * @ring:     CAPTURE_RING_SIZE bytes of records; @head and @tail count bytes
 *            written and sent since the start (positions are modulo the size)
 * @pollout:  EPOLLOUT is armed on @conn
 * @frames/@bytes: frames (and their wire bytes) put in the ring
 * @dropped:  frames dropped because the ring was full
 * @created_ns/@progress_ns: creation, and the last time the client drained
 *            something or the ring was empty (monotonic, the datapath clock)
 * @end_reason: enum capture_end_reason once ending
 */
struct capture {
	struct capture_set *set;
	unsigned id;
	char port[PORT_NAME_MAX];
	uint16_t port_idx;
	unsigned dir;
	uint32_t snaplen;
	uint64_t count;
	enum capture_state state;
	struct ev_source listen;
	struct ev_source conn;
	char path[CAPTURE_PATH_MAX];
	char token[CAPTURE_TOKEN_LEN + 1];
	char hs[CAPTURE_TOKEN_LEN + 2];
	size_t hs_len;
	uint8_t *ring;
	uint64_t head, tail;
	bool pollout;
	uint64_t frames, bytes, dropped;
	uint64_t created_ns, progress_ns;
	uint32_t end_reason;
};

/**
 * struct capture_set - the captures of one switch
 * @br:        the switch
 * @cap:       the captures; NULL slots are free
 * @next_id:   id of the next capture
 * @started:   captures whose client connected
 * @completed: captures that ended normally (count reached, client closed, port gone)
 * @stalled:   captures dropped because their client stopped reading
 * @abandoned: captures dropped because no client connected in time
 * @dropped:   frames dropped on full rings, over every capture so far
 */
struct capture_set {
	struct bridge *br;
	struct capture *cap[CAPTURE_MAX];
	unsigned next_id;
	uint64_t started, completed, stalled, abandoned, dropped;
};

/**
 * struct capture_ticket - what the capture command tells its client
 * @id:    the capture's id
 * @path:  the socket to connect to
 * @token: the line to send first
 */
struct capture_ticket {
	unsigned id;
	char path[CAPTURE_PATH_MAX];
	char token[CAPTURE_TOKEN_LEN + 1];
};

/**
 * capture_start() - set up a capture of @port on @br and listen for its client
 * @sock_base: path the data socket's name is derived from (the control socket)
 * @dir:       CAPTURE_DIR_*
 * @snaplen:   CAPTURE_SNAPLEN_MIN..CAPTURE_SNAPLEN_MAX
 * @count:     frames to take (0: until the client goes)
 * @t:         out: where and how to connect
 * Return: 0, -ENOENT (no such port), -ENOSPC (CAPTURE_MAX running),
 *         -EINVAL, or -errno from the socket, with @err set.
 */
int capture_start(struct bridge *br, const char *sock_base, const char *port, unsigned dir,
		  uint32_t snaplen, uint64_t count, struct capture_ticket *t, char *err,
		  size_t errsz);

/** capture_stop() - end capture @id of @br as if its count was reached. Return: 0 or -ENOENT */
int capture_stop(struct bridge *br, unsigned id);

/**
 * capture_rx() - datapath: a burst @in received, before parsing (only when
 * bridge::tap[in->idx] has BRIDGE_TAP_CAP_IN)
 */
void capture_rx(struct bridge *br, const struct port *in, struct pkt *const *pkts, unsigned n);

/**
 * capture_tx() - datapath: a burst about to go to @o's tx_burst(), with the
 * tags it inserts (only when bridge::tap[o->idx] has BRIDGE_TAP_CAP_OUT)
 */
void capture_tx(struct bridge *br, const struct port *o, struct pkt *const *pkts,
		const uint16_t *tci, unsigned n);

/** capture_port_gone() - port @p is being deleted: end its captures */
void capture_port_gone(struct bridge *br, const struct port *p);

/** capture_tick() - drop stalled and abandoned captures (from the 1 s timer) */
void capture_tick(struct bridge *br, uint64_t now_ns);

/** capture_set_destroy() - close every capture of the set and free it; accepts NULL */
void capture_set_destroy(struct capture_set *cs);

/** capture_state_name() - "listening", "handshake", "running", "ending" */
const char *capture_state_name(enum capture_state s);

/**
 * capture_parse_dir() - "in", "out" or "both" to CAPTURE_DIR_*
 * Return: true, or false if @s is none of them.
 */
bool capture_parse_dir(const char *s, unsigned *dir);

/** capture_dir_name() - "in", "out" or "both" */
const char *capture_dir_name(unsigned dir);

#endif /* VNET_CAPTURE_H */
