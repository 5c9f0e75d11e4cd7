/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat.h - the NAT engine behind a network's gateway port, and its port
 * forwards.
 *
 * Theory of operation
 * -------------------
 * A NAT engine terminates the VMs' IPv4 traffic addressed beyond the
 * gateway and re-originates it from ordinary host sockets, so it needs no
 * root, no kernel NAT and no host firewall rules (Docker, firewalld or an
 * nftables reload cannot break it). It sees Ethernet frames: nat_input()
 * takes a frame a VM sent to the gateway, and the engine hands frames for
 * the VMs to nat_io.output(). It lives in the datapath thread: its sockets
 * and timers are registered with that thread's epoll loop (p->dp->loop), so
 * an idle engine costs nothing.
 *
 * The engine is a vtable (struct nat_engine_ops), as port types are, so a
 * faster engine can replace the first one without touching the gateway
 * port. The first engine is libslirp (nat_slirp.c). An engine must:
 *   - call io.output() for every frame it produces, and io.flush() after a
 *     batch produced from its own events (never from inside input());
 *   - never block; bound what it keeps per VM;
 *   - map the gateway address to the host's loopback, so VMs reach services
 *     the host binds to 127.0.0.1, and forward DNS sent to cfg.dns_ip to the
 *     host's resolvers (/etc/resolv.conf).
 *
 * Port forwards (nat/forward-add) are kept here, engine-independent: the
 * list, its validation, the error messages users see (port in use,
 * privileged port) and its JSON form for the network's state file.
 */
#ifndef VNET_NAT_H
#define VNET_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "../base/dp.h"

#define NAT_FWD_MAX 128 /* port forwards per network */
#define NAT_FLOWS_MAX 4096 /* host sockets per network; new TCP connections beyond are refused */
#define NAT_MTU_MAX 65520 /* largest MTU an engine must support */
#define NAT_ENGINE_DEFAULT "slirp"

enum nat_proto { NAT_TCP, NAT_UDP };

/**
 * struct nat_fwd - one port forward: host_ip:host_port -> guest_ip:guest_port
 * @active: the engine is listening (false: restored from the state file, but
 *          the host port could not be bound; @error says why)
 */
struct nat_fwd {
	enum nat_proto proto;
	uint32_t host_ip;
	uint16_t host_port;
	uint32_t guest_ip;
	uint16_t guest_port;
	bool active;
	char error[128];
};

/**
 * struct nat_config - the network as the engine sees it (addresses host order)
 * @net/@plen: the subnet
 * @gw:        the gateway address (answers ARP, maps to the host's loopback)
 * @dns_ip:    address whose UDP/TCP port 53 goes to the host's resolvers
 * @mtu:       largest IP packet to and from the VMs
 * @mac:       out: the MAC address the engine sends from (set by create)
 */
struct nat_config {
	uint32_t net;
	unsigned plen;
	uint32_t gw;
	uint32_t dns_ip;
	uint32_t mtu;
	uint8_t mac[6];
};

/**
 * struct nat_io - the gateway port's side
 * @output: a frame for the VMs (copied before return)
 * @flush:  the engine finished a batch of output from its own events
 * @arg:    passed to both
 */
struct nat_io {
	void (*output)(void *arg, const uint8_t *frame, size_t size);
	void (*flush)(void *arg);
	void *arg;
};

/**
 * struct nat_engine_ops - a NAT engine
 * @name:       as in engine= (for now only "slirp")
 * @create:     start an engine on @dp's loop; fills cfg->mac. Return: its
 *              state, or NULL with @err set
 * @destroy:    stop it and close everything (accepts NULL)
 * @input:      one frame from the VMs (engine copies what it keeps)
 * @input_done: end of a burst of input() calls: a chance to update the
 *              sockets it watches
 * @fwd_add:    start listening for forward @f. Return: 0 or -errno (bind's)
 * @fwd_del:    stop it. Return: 0 or -ENOENT
 * @flows:      active flows as a JSON array of objects (proto, state, src,
 *              sport, dst, dport, recvq, sendq)
 * @n_flows:    host sockets open now
 */
struct nat_engine_ops {
	const char *name;
	void *(*create)(struct dp *dp, struct nat_config *cfg, const struct nat_io *io, char *err,
			size_t errsz);
	void (*destroy)(void *eng);
	void (*input)(void *eng, const uint8_t *frame, size_t size);
	void (*input_done)(void *eng);
	int (*fwd_add)(void *eng, const struct nat_fwd *f);
	int (*fwd_del)(void *eng, const struct nat_fwd *f);
	json_t *(*flows)(void *eng);
	unsigned (*n_flows)(void *eng);
};

extern const struct nat_engine_ops nat_slirp_ops;

/**
 * struct nat - an engine and the network's forwards
 * @ops/@eng:  the engine
 * @cfg:       its configuration
 * @n_fwd:     forwards in @fwd
 * @n_input:   frames given to the engine
 */
struct nat {
	const struct nat_engine_ops *ops;
	void *eng;
	struct nat_config cfg;
	unsigned n_fwd;
	struct nat_fwd fwd[NAT_FWD_MAX];
	uint64_t n_input;
};

/**
 * nat_create() - start engine @engine (NULL: the default) for network @cfg
 * Return: the NAT, or NULL with @err set.
 */
struct nat *nat_create(struct dp *dp, const struct nat_config *cfg, const struct nat_io *io,
		       const char *engine, char *err, size_t errsz);
/** nat_destroy() - stop the engine; accepts NULL */
void nat_destroy(struct nat *n);

static inline void nat_input(struct nat *n, const uint8_t *frame, size_t size)
{
	n->n_input++;
	n->ops->input(n->eng, frame, size);
}

static inline void nat_input_done(struct nat *n)
{
	if (n->ops->input_done)
		n->ops->input_done(n->eng);
}

/**
 * nat_fwd_parse() - "tcp"|"udp", "[IP:]PORT" (IP default 127.0.0.1) and,
 * when @guest is not NULL, "IP:PORT" into @f
 * Return: true, or false with @err set.
 */
bool nat_fwd_parse(const char *proto, const char *host, const char *guest, struct nat_fwd *f,
		   char *err, size_t errsz);

/**
 * nat_fwd_add() - add and start forward @f
 * Refused with a clear message: a guest address outside the network or one
 * of the gateway's own; a duplicate; a host port in use by another program
 * (-EADDRINUSE); a privileged port vnetd may not bind (-EACCES).
 * Return: 0 or -errno with @err set.
 */
int nat_fwd_add(struct nat *n, const struct nat_fwd *f, char *err, size_t errsz);

/** nat_fwd_del() - stop and remove the forward of (@proto, @host_ip, @host_port). Return: 0 or -ENOENT */
int nat_fwd_del(struct nat *n, enum nat_proto proto, uint32_t host_ip, uint16_t host_port,
		char *err, size_t errsz);

/** nat_fwd_to_json() - the forwards as a JSON array (with "active" and "error") */
json_t *nat_fwd_to_json(const struct nat *n, bool with_status);

/**
 * nat_fwd_restore() - re-add the forwards of a state file's array
 * A forward whose host port cannot be bound now is kept, inactive, with its
 * error, so it is not lost from the state; malformed entries are refused.
 * Return: 0, or -EINVAL with @err set (nothing added).
 */
int nat_fwd_restore(struct nat *n, const json_t *arr, char *err, size_t errsz);

/** nat_proto_name() - "tcp" or "udp" */
const char *nat_proto_name(enum nat_proto p);

#endif /* VNET_NAT_H */
