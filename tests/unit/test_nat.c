// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nat.c - the NAT engine (libslirp on the datapath's epoll loop), port forwards, and
 * the gateway port type, driven in-process: frames in through tx_burst, frames out
 * through the port's input hook, real sockets on the loopback for the host side.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/base/dp.h"
#include "../../src/base/log.h"
#include "../../src/base/util.h"
#include "../../src/svc/dhcp.h"
#include "../../src/svc/inet.h"
#include "../../src/svc/nat.h"
#include "../../src/svc/svc_port.h"

#define NET 0x0a5a0000u /* 10.90.0.0/24 */
#define GW (NET | 2)
#define VM (NET | 130)

static struct dp dp;
static const uint8_t vm_mac[6] = { 0x52, 0x54, 0, 0x5a, 0, 1 };

/* ---- frames the engine or the port sent towards the VMs ---- */

#define CAP_MAX 64
static uint8_t cap[CAP_MAX][2048];
static size_t cap_size[CAP_MAX];
static unsigned n_cap, n_flush;

static void cap_frame(const uint8_t *f, size_t size)
{
	if (n_cap < CAP_MAX) {
		memcpy(cap[n_cap], f, MIN(size, sizeof(cap[0])));
		cap_size[n_cap++] = size;
	}
}

static void t_output(void *arg, const uint8_t *f, size_t size)
{
	(void)arg;
	cap_frame(f, size);
}

static void t_flush(void *arg)
{
	(void)arg;
	n_flush++;
}

/* The port's input hook: what the switch would receive from the gateway. */
static void t_input(struct port *p, struct pkt **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cap_frame(pkts[i]->data, pkts[i]->size);
	pkt_free_burst(p->dp->pool, pkts, n);
}

/* Run the loop until @cond or about 2 s. */
#define RUN_UNTIL(cond)                                     \
	do {                                                \
		for (int i_ = 0; i_ < 200 && !(cond); i_++) \
			evloop_run_once(&dp.loop, 10);      \
	} while (0)

static int setup(void **state)
{
	(void)state;
	assert_int_equal(evloop_init(&dp.loop), 0);
	dp.pool = pkt_pool_create(64);
	assert_non_null(dp.pool);
	n_cap = n_flush = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(dp.pool->n_free, dp.pool->n); /* every buffer came back */
	pkt_pool_destroy(dp.pool);
	evloop_fini(&dp.loop);
	return 0;
}

static struct nat *mknat(void)
{
	struct nat_config c = { .net = NET, .plen = 24, .gw = GW, .dns_ip = NET | 3, .mtu = 1500 };
	struct nat_io io = { .output = t_output, .flush = t_flush };
	char err[128];
	struct nat *n = nat_create(&dp, &c, &io, NULL, err, sizeof(err));

	if (!n)
		fail_msg("nat_create: %s", err);
	assert_int_equal(n->cfg.mac[0], 0x52);
	assert_int_equal(n->cfg.mac[5], 2);
	return n;
}

static void put32(uint8_t *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static size_t arp_request(uint8_t *f, uint32_t tpa)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memset(f, 0, 60);
	memcpy(f, bc, 6);
	memcpy(f + 6, vm_mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[14 + 1] = 1;
	f[14 + 2] = 0x08;
	f[14 + 4] = 6;
	f[14 + 5] = 4;
	f[14 + 7] = 1;
	memcpy(f + 14 + 8, vm_mac, 6);
	put32(f + 14 + 14, VM);
	put32(f + 14 + 24, tpa);
	return 60;
}

/* IPv4 + TCP with @flags from the VM to @dst:@dport, valid checksums. */
static size_t tcp_frame(uint8_t *f, const uint8_t *dst_mac, uint32_t dst, uint16_t dport,
			uint8_t flags)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	uint32_t sum;

	memset(f, 0, 14 + 40);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, vm_mac, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[3] = 40;
	ip[8] = 64;
	ip[9] = 6;
	put32(ip + 12, VM);
	put32(ip + 16, dst);
	sum = inet_csum(ip, 20, 0);
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	tcp[0] = 0xc3;
	tcp[1] = 0x50; /* sport 50000 */
	tcp[2] = (uint8_t)(dport >> 8);
	tcp[3] = (uint8_t)dport;
	tcp[7] = 1; /* seq 1 */
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	tcp[14] = 0xff;
	tcp[15] = 0xff;
	sum = (VM >> 16) + (VM & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + 20;
	sum = inet_csum(tcp, 20, sum);
	tcp[16] = (uint8_t)(sum >> 8);
	tcp[17] = (uint8_t)sum;
	return 14 + 40;
}

static size_t tcp_syn(uint8_t *f, const uint8_t *dst_mac, uint32_t dst, uint16_t dport)
{
	return tcp_frame(f, dst_mac, dst, dport, 0x02);
}

static int listen_on(uint16_t *port, int type)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t l = sizeof(sa);
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (type == SOCK_STREAM)
		assert_int_equal(listen(s, 4), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &l), 0);
	*port = ntohs(sa.sin_port);
	return s;
}

static void test_fwd_parse(void **state)
{
	struct nat_fwd f;
	char err[128];

	(void)state;
	assert_true(nat_fwd_parse("tcp", "8080", "10.90.0.50:80", &f, err, sizeof(err)));
	assert_int_equal(f.proto, NAT_TCP);
	assert_int_equal(f.host_ip, INADDR_LOOPBACK);
	assert_int_equal(f.host_port, 8080);
	assert_int_equal(f.guest_ip, NET | 50);
	assert_int_equal(f.guest_port, 80);
	assert_true(nat_fwd_parse("udp", "0.0.0.0:53", NULL, &f, err, sizeof(err)));
	assert_int_equal(f.host_ip, 0);
	assert_false(nat_fwd_parse("icmp", "1", "10.90.0.50:80", &f, err, sizeof(err)));
	assert_false(nat_fwd_parse("tcp", "0", "10.90.0.50:80", &f, err, sizeof(err)));
	assert_false(nat_fwd_parse("tcp", "65536", "10.90.0.50:80", &f, err, sizeof(err)));
	assert_false(nat_fwd_parse("tcp", "1.2.3:80", "10.90.0.50:80", &f, err, sizeof(err)));
	assert_false(nat_fwd_parse("tcp", "80", "10.90.0.50", &f, err, sizeof(err)));
	assert_false(nat_fwd_parse("tcp", "80x", "10.90.0.50:80", &f, err, sizeof(err)));
}

static void test_arp_and_ping_gateway(void **state)
{
	struct nat *n = mknat();
	uint8_t f[128];

	(void)state;
	nat_input(n, f, arp_request(f, GW));
	nat_input_done(n);
	assert_int_equal(n_cap, 1);
	assert_int_equal(cap[0][12], 0x08);
	assert_int_equal(cap[0][13], 0x06);
	assert_int_equal(cap[0][14 + 7], 2); /* reply */
	assert_memory_equal(cap[0] + 14 + 8, n->cfg.mac, 6);
	assert_memory_equal(cap[0], vm_mac, 6);
	nat_destroy(n);
}

static void test_tcp_through_epoll(void **state)
{
	struct nat *n = mknat();
	uint16_t port;
	int l = listen_on(&port, SOCK_STREAM), c = -1;
	uint8_t f[128];
	json_t *flows;

	(void)state;
	nat_input(n, f, arp_request(f, GW)); /* slirp learns the VM's MAC */
	n_cap = 0;
	nat_input(n, f, tcp_syn(f, n->cfg.mac, GW, port));
	nat_input_done(n);
	/* slirp connects to 127.0.0.1:port from the loop, then answers the VM with SYN-ACK */
	RUN_UNTIL((c = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0);
	assert_true(c >= 0);
	RUN_UNTIL(n_cap > 0);
	assert_true(n_cap > 0);
	assert_int_equal(cap[0][23], 6);
	assert_int_equal(cap[0][14 + 20 + 13] & 0x12, 0x12); /* SYN+ACK */
	assert_true(n_flush > 0); /* output from the loop was flushed */
	flows = n->ops->flows(n->eng);
	assert_true(json_array_size(flows) >= 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(flows, 0), "proto")),
			    "tcp");
	json_decref(flows);
	close(c);
	close(l);
	nat_destroy(n);
}

static void test_forwards(void **state)
{
	struct nat *n = mknat();
	uint16_t busy, freep;
	int b = listen_on(&busy, SOCK_STREAM), u = listen_on(&freep, SOCK_DGRAM), fd;
	struct nat_fwd f;
	char err[160], spec[32];
	json_t *arr, *back;

	(void)state;
	close(u); /* a port that was free a moment ago */
	snprintf(spec, sizeof(spec), "%u", busy);
	assert_true(nat_fwd_parse("tcp", spec, "10.90.0.50:80", &f, err, sizeof(err)));
	assert_int_equal(nat_fwd_add(n, &f, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "in use"));
	snprintf(spec, sizeof(spec), "%u", freep);
	assert_true(nat_fwd_parse("tcp", spec, "10.90.0.50:80", &f, err, sizeof(err)));
	assert_int_equal(nat_fwd_add(n, &f, err, sizeof(err)), 0);
	assert_int_equal(nat_fwd_add(n, &f, err, sizeof(err)), -EEXIST);
	/* the forward really listens */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(freep),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	}
	close(fd);
	assert_true(nat_fwd_parse("udp", spec, "10.90.0.50:53", &f, err, sizeof(err)));
	assert_int_equal(nat_fwd_add(n, &f, err, sizeof(err)), 0);
	assert_true(nat_fwd_parse("udp", "1", "192.0.2.1:53", &f, err, sizeof(err)));
	assert_int_equal(nat_fwd_add(n, &f, err, sizeof(err)), -EINVAL);
	assert_true(nat_fwd_parse("udp", "1", "10.90.0.2:53", &f, err, sizeof(err)));
	assert_int_equal(nat_fwd_add(n, &f, err, sizeof(err)), -EINVAL);
	assert_int_equal(n->n_fwd, 2);

	arr = nat_fwd_to_json(n, false);
	assert_int_equal(json_array_size(arr), 2);
	assert_int_equal(nat_fwd_del(n, NAT_TCP, INADDR_LOOPBACK, freep, err, sizeof(err)), 0);
	assert_int_equal(nat_fwd_del(n, NAT_TCP, INADDR_LOOPBACK, freep, err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(nat_fwd_del(n, NAT_UDP, INADDR_LOOPBACK, freep, err, sizeof(err)), 0);
	assert_int_equal(n->n_fwd, 0);

	/* restore: the TCP one binds again; a busy one is kept, inactive, with its error */
	json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:s, s:i}", "proto", "tcp", "host",
					     "127.0.0.1", "host_port", busy, "guest", "10.90.0.51",
					     "guest_port", 22));
	assert_int_equal(nat_fwd_restore(n, arr, err, sizeof(err)), 0);
	assert_int_equal(n->n_fwd, 3);
	back = nat_fwd_to_json(n, true);
	assert_false(json_is_true(json_object_get(json_array_get(back, 2), "active")));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(back, 2), "error")),
			       "in use"));
	assert_true(json_is_true(json_object_get(json_array_get(back, 0), "active")));
	json_decref(back);
	json_decref(arr);
	/* a malformed state entry refuses the whole array */
	arr = json_pack("[{s:s}]", "proto", "tcp");
	assert_int_equal(nat_fwd_restore(n, arr, err, sizeof(err)), -EINVAL);
	json_decref(arr);
	close(b);
	nat_destroy(n);
}

/* ---- the gateway port, without a switch ---- */

static struct port *mkgateway(const char *mode, const char *dir)
{
	struct port *p = calloc(1, sizeof(*p));
	char err[256], sd[300];
	struct kv_list opts = { 0 };

	assert_non_null(p);
	strcpy(p->name, "gw");
	p->ops = &gateway_port_ops;
	p->dp = &dp;
	p->mtu = 1500;
	p->input = t_input;
	kv_set(&opts, "net", "lab");
	kv_set(&opts, "mode", mode);
	kv_set(&opts, "subnet", "10.90.0.0/24");
	kv_set(&opts, "dhcp_mtu", "1400");
	if (dir) {
		snprintf(sd, sizeof(sd), "%s", dir);
		kv_set(&opts, "state_dir", sd);
	}
	if (gateway_port_ops.open(p, &opts, err, sizeof(err)))
		fail_msg("open: %s", err);
	assert_int_equal(p->state, PORT_UP);
	return p;
}

static void gw_send(struct port *p, const uint8_t *f, size_t size, uint16_t tci)
{
	struct pkt *pk = pkt_alloc(dp.pool);

	assert_non_null(pk);
	memcpy(pk->data, f, size);
	pk->size = (uint32_t)size;
	assert_int_equal(p->ops->tx_burst(p, &pk, &tci, 1), 1);
	pkt_free(dp.pool, pk);
}

static void test_gateway_options(void **state)
{
	static const char *const bad[][2] = {
		{ "subnet", "10.90.0.1/24" }, { "subnet", "10.0.0.0/8" },  { "mode", "bridged" },
		{ "dhcp", "maybe" },	      { "net", "Bad_Name" },	   { "lease_time", "5" },
		{ "dhcp_mtu", "20" },	      { "state_dir", "relative" }, { "engine", "pasta" },
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct kv_list o = { 0 };

		kv_set(&o, "subnet", "10.90.0.0/24");
		kv_set(&o, bad[i][0], bad[i][1]);
		err[0] = '\0';
		assert_int_equal(gateway_port_ops.validate(&o, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
	}
	{
		struct kv_list o = { 0 };

		assert_int_equal(gateway_port_ops.validate(&o, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "subnet"));
	}
}

static void test_gateway_private(void **state)
{
	struct port *p = mkgateway("private", NULL);
	struct svc *s = p->priv;
	uint8_t f[600];
	size_t n;

	(void)state;
	assert_ptr_equal(svc_of(p), s);
	assert_int_equal(svc_mode(s), SVC_MODE_PRIVATE);
	assert_null(svc_nat(s));
	/* ARP for the gateway (no NAT: the port answers itself) and for the DHCP server */
	gw_send(p, f, arp_request(f, GW), 0);
	gw_send(p, f, arp_request(f, NET | 254), 0);
	gw_send(p, f, arp_request(f, NET | 77), 0); /* another VM's: not ours */
	assert_int_equal(n_cap, 0); /* nothing re-enters the switch from tx */
	RUN_UNTIL(n_cap == 2);
	assert_int_equal(n_cap, 2);
	assert_int_equal(cap[0][14 + 7], 2);
	assert_int_equal(get32(cap[1] + 14 + 14), NET | 254);
	/* a tagged frame is not for the services */
	gw_send(p, f, arp_request(f, GW), 10);
	assert_int_equal(p->stats.drops[DROP_VLAN_NOT_ALLOWED], 1);
	/* a DHCP DISCOVER is answered with an OFFER carrying option 26 */
	n_cap = 0;
	memset(f, 0, sizeof(f));
	{
		uint8_t *b = f + INET_UDP4_HLEN;
		static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

		b[0] = 1;
		b[1] = 1;
		b[2] = 6;
		memcpy(b + 28, vm_mac, 6);
		b[236] = 0x63;
		b[237] = 0x82;
		b[238] = 0x53;
		b[239] = 0x63;
		b[240] = 53;
		b[241] = 1;
		b[242] = 1;
		b[243] = 255;
		n = inet_udp4_encap(f, 244, bc, vm_mac, 0, INET_IP4_BROADCAST, 68, 67);
	}
	gw_send(p, f, n, 0);
	RUN_UNTIL(n_cap == 1);
	assert_int_equal(n_cap, 1);
	{
		struct inet_udp4 u;
		const uint8_t *o;
		bool mtu = false;

		assert_true(inet_udp4_parse(cap[0], cap_size[0], true, &u));
		assert_int_equal(u.ip_src, NET | 254);
		assert_int_equal(u.payload[240 + 2], 2); /* OFFER */
		for (o = u.payload + 240; *o != 255; o += 2 + o[1])
			mtu |= o[0] == 26 && o[2] == 0x05 && o[3] == 0x78; /* 1400 */
		assert_true(mtu);
	}
	gateway_port_ops.close(p);
	free(p);
}

static void test_gateway_nat_persist(void **state)
{
	char dir[] = "/tmp/test_nat.XXXXXX", path[300], err[256];
	struct port *p;
	struct svc *s;
	struct nat_fwd f;
	uint16_t port;
	int u = listen_on(&port, SOCK_DGRAM);
	uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, 9 };
	char spec[16];
	json_t *j;

	(void)state;
	close(u);
	assert_non_null(mkdtemp(dir));
	p = mkgateway("nat", dir);
	s = p->priv;
	assert_non_null(svc_nat(s));
	snprintf(spec, sizeof(spec), "%u", port);
	assert_true(nat_fwd_parse("tcp", spec, "10.90.0.60:22", &f, err, sizeof(err)));
	assert_int_equal(svc_forward_add(s, &f, err, sizeof(err)), 0);
	assert_int_equal(svc_reserve(s, mac, NET | 60, "db", err, sizeof(err)), 0);
	assert_int_equal(svc_reserve(s, mac, NET | 2, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(svc_reserve(s, mac, 0x0b000001, NULL, err, sizeof(err)), -EINVAL);
	gateway_port_ops.close(p);
	free(p);
	snprintf(path, sizeof(path), "%s/net-lab.json", dir);
	assert_int_equal(access(path, R_OK), 0);

	/* a new port on the same state dir comes back with both */
	p = mkgateway("nat", dir);
	s = p->priv;
	assert_int_equal(svc_nat(s)->n_fwd, 1);
	assert_true(svc_nat(s)->fwd[0].active);
	j = svc_leases_json(s);
	assert_string_equal(
		json_string_value(json_object_get(
			json_array_get(json_object_get(j, "reservations"), 0), "hostname")),
		"db");
	json_decref(j);
	assert_int_equal(svc_unreserve(s, mac, err, sizeof(err)), 0);
	assert_int_equal(svc_unreserve(s, mac, err, sizeof(err)), -ENOENT);
	assert_int_equal(svc_forward_del(s, NAT_TCP, INADDR_LOOPBACK, port, err, sizeof(err)), 0);
	j = svc_status_json(s);
	assert_string_equal(json_string_value(json_object_get(j, "mode")), "nat");
	assert_string_equal(json_string_value(json_object_get(j, "dhcp_server")), "10.90.0.254");
	json_decref(j);
	gateway_port_ops.close(p);
	free(p);

	/* a corrupt state file is moved aside, not trusted */
	{
		FILE *fp = fopen(path, "w");

		fputs("{\"version\": 1, \"reservations\": 7}", fp);
		fclose(fp);
	}
	p = mkgateway("nat", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	gateway_port_ops.close(p);
	free(p);
	assert_int_equal(svc_forget_state(dir, "lab"), 0);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

static long long counter(struct svc *s, const char *name)
{
	json_t *j = svc_status_json(s);
	long long v = json_integer_value(json_object_get(json_object_get(j, "counters"), name));

	json_decref(j);
	return v;
}

static void test_gateway_nat_scope(void **state)
{
	struct port *p = mkgateway("nat", NULL);
	struct svc *s = p->priv;
	const uint8_t *mac = svc_nat(s)->cfg.mac;
	uint8_t f[128];

	(void)state;
	gw_send(p, f, arp_request(f, GW), 0); /* the engine learns the VM's MAC */
	assert_int_equal(counter(s, "to_nat"), 1);
	/*
	 * Routed through the gateway: to the NAT. ACKs of no connection, which the
	 * engine answers with a RST without opening a socket: nothing leaves the host.
	 */
	gw_send(p, f, tcp_frame(f, mac, GW, 80, 0x10), 0);
	gw_send(p, f, tcp_frame(f, mac, 0xc6336401, 80, 0x10), 0); /* 198.51.100.1 */
	assert_int_equal(counter(s, "to_nat"), 3);
	/* other addresses of the subnet, multicast: not the NAT's business */
	gw_send(p, f, tcp_frame(f, mac, NET | 254, 80, 0x10), 0);
	gw_send(p, f, tcp_frame(f, mac, NET | 77, 80, 0x10), 0);
	gw_send(p, f, tcp_frame(f, mac, 0xe0000001, 80, 0x10), 0);
	assert_int_equal(counter(s, "to_nat"), 3);
	assert_int_equal(counter(s, "ignored"), 3);
	/* a frame for another VM's MAC, flooded to the gateway */
	gw_send(p, f, tcp_frame(f, vm_mac, GW, 80, 0x10), 0);
	assert_int_equal(counter(s, "ignored"), 4);
	RUN_UNTIL(n_cap >= 3); /* the ARP reply and two RSTs, through the ring */
	assert_int_equal(n_cap, 3);
	assert_int_equal(cap[0][13], 0x06);
	assert_int_equal(cap[1][14 + 20 + 13] & 0x04, 0x04);
	assert_int_equal(cap[2][14 + 20 + 13] & 0x04, 0x04);
	gateway_port_ops.close(p);
	free(p);
}

static void test_plan(void **state)
{
	struct svc_plan pl;
	char err[128];

	(void)state;
	assert_true(svc_plan_make(NET, 24, &pl, err, sizeof(err)));
	assert_int_equal(pl.host, NET | 1);
	assert_int_equal(pl.gw, NET | 2);
	assert_int_equal(pl.dhcp, NET | 254);
	assert_int_equal(pl.pool_first, NET | 128);
	assert_int_equal(pl.pool_last, NET | 253);
	assert_true(svc_plan_make(NET, 28, &pl, err, sizeof(err)));
	assert_int_equal(pl.pool_first, NET | 8);
	assert_int_equal(pl.pool_last, NET | 13);
	assert_int_equal(pl.dhcp, NET | 14);
	assert_true(svc_plan_make(0x0a000000, 16, &pl, err, sizeof(err)));
	assert_int_equal(pl.pool_last - pl.pool_first + 1, DHCP_POOL_MAX);
	assert_false(svc_plan_make(NET, 30, &pl, err, sizeof(err)));
	assert_false(svc_plan_make(NET | 5, 24, &pl, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_fwd_parse),
		cmocka_unit_test_setup_teardown(test_arp_and_ping_gateway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_through_epoll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forwards, setup, teardown),
		cmocka_unit_test(test_gateway_options),
		cmocka_unit_test_setup_teardown(test_gateway_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_nat_persist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gateway_nat_scope, setup, teardown),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
