/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_table.h - every control command, in one X-macro table shared by vnetd
 * (which runs them) and vnetctl (whose help and argument checks come from it).
 *
 * X(id, "noun/verb", usage, help, min_args, max_args, mutates): the handler
 * of command id is cmd_<id>() in src/ctl/cmd_<noun>.c. A command that
 * mutates the configuration is followed by an atomic save of the state file.
 * vnetctl expands the table without handlers, so it links none of them.
 */
#ifndef VNET_CMD_TABLE_H
#define VNET_CMD_TABLE_H

#include <stdint.h>

#include "cmd.h"

struct bridge;
struct port;
struct kv_list;

#ifndef VNET_VERSION
#define VNET_VERSION "0.1.0"
#endif

#define CMD_TABLE(X)                                                                               \
	X(switch_add, "switch/add", "SWITCH [fdb_max=N] [aging=S]", "create a switch", 1, -1,      \
	  true)                                                                                    \
	X(switch_del, "switch/del", "SWITCH", "delete a switch and all its ports", 1, 1, true)     \
	X(switch_list, "switch/list", "", "list switches", 0, 0, false)                            \
	X(switch_set, "switch/set", "SWITCH aging=S",                                              \
	  "change switch options (fdb_max is fixed at creation)", 2, -1, true)                     \
	X(port_add, "port/add",                                                                    \
	  "SWITCH PORT [type=tap|internal|vhost-user|stream|dgram|uplink|vxlan|dummy] "            \
	  "[key=value...]",                                                                        \
	  "add a port (type defaults to tap)", 2, -1, true)                                        \
	X(port_del, "port/del", "SWITCH PORT", "delete a port", 2, 2, true)                        \
	X(port_set, "port/set", "SWITCH PORT key=value...", "change port options", 3, -1, true)    \
	X(port_list, "port/list", "[SWITCH]", "list ports and their state", 0, 1, false)           \
	X(fdb_show, "fdb/show", "SWITCH", "show the MAC table", 1, 1, false)                       \
	X(fdb_flush, "fdb/flush", "SWITCH [PORT]", "remove learned MAC entries", 1, 2, false)      \
	X(fdb_add, "fdb/add", "SWITCH MAC VLAN PORT", "add a static MAC entry", 4, 4, true)        \
	X(fdb_del, "fdb/del", "SWITCH MAC VLAN", "remove a MAC entry", 3, 3, true)                 \
	X(stats_show, "stats/show", "SWITCH [PORT]", "show port counters and drops by reason", 1,  \
	  2, false)                                                                                \
	X(stats_clear, "stats/clear", "SWITCH [PORT]", "zero port counters", 1, 2, false)          \
	X(trace, "trace",                                                                          \
	  "SWITCH PORT FRAMEHEX | SWITCH PORT src=MAC dst=MAC [vlan=N] [pcp=N] [type=0xNNNN]",     \
	  "show every forwarding decision for one synthetic frame", 3, 7, false)                   \
	X(dummy_inject, "dummy/inject", "SWITCH PORT FRAMEHEX [vnet=F,G,HL,GS,CS,CO]",             \
	  "inject a frame on a dummy port", 3, 4, false)                                           \
	X(dummy_capture, "dummy/capture", "SWITCH PORT [max=N]",                                   \
	  "take the frames a dummy port has sent", 2, 3, false)                                    \
	X(vxlan_map, "vxlan/map", "SWITCH vlan=N vni=N [port=PORT]",                               \
	  "map a VLAN to a VXLAN VNI on the switch's vxlan port", 3, 4, true)                      \
	X(vxlan_unmap, "vxlan/unmap", "SWITCH vlan=N|vni=N [port=PORT]",                           \
	  "remove a VLAN <-> VNI mapping", 2, 3, true)                                             \
	X(vxlan_remote_add, "vxlan/remote-add", "SWITCH vni=N remote=IP [mac=MAC] [port=PORT]",    \
	  "add a remote VTEP for a VNI (flooding, or one MAC)", 3, 5, true)                        \
	X(vxlan_remote_del, "vxlan/remote-del", "SWITCH vni=N remote=IP [mac=MAC] [port=PORT]",    \
	  "remove a remote VTEP", 3, 5, true)                                                      \
	X(vxlan_show, "vxlan/show", "SWITCH [port=PORT]",                                          \
	  "show the VNI map, remote VTEPs and learned remote MACs", 1, 2, false)                   \
	X(config_show, "config/show", "", "print the configuration as it would be saved", 0, 0,    \
	  false)                                                                                   \
	X(config_reload, "config/reload", "", "re-read the --config file and apply it", 0, 0,      \
	  true)                                                                                    \
	X(network_add, "network/add",                                                              \
	  "NAME mode=nat|host-only|private [subnet=A.B.C.0/LEN] [dhcp=on|off] [mtu=N] "            \
	  "[lease_time=S] [host=on|off] [ifname=IF]",                                              \
	  "create a network: a switch with DHCP, DNS and (nat) NAT", 2, -1, true)                  \
	X(network_del, "network/del", "NAME",                                                      \
	  "delete a network, its switch, leases, reservations and forwards", 1, 1, true)           \
	X(network_list, "network/list", "", "list networks", 0, 0, false)                          \
	X(dhcp_leases, "dhcp/leases", "NETWORK", "show DHCP leases and reservations", 1, 1, false) \
	X(dhcp_reserve, "dhcp/reserve", "NETWORK MAC IP [hostname=NAME]",                          \
	  "always give IP (and DNS name NAME) to MAC", 3, 4, true)                                 \
	X(dhcp_unreserve, "dhcp/unreserve", "NETWORK MAC", "remove a DHCP reservation", 2, 2,      \
	  true)                                                                                    \
	X(nat_forward_add, "nat/forward-add", "NETWORK tcp|udp [HOST_IP:]PORT VM_IP:PORT",         \
	  "forward a host port to a VM (host address defaults to 127.0.0.1)", 4, 4, true)          \
	X(nat_forward_del, "nat/forward-del", "NETWORK tcp|udp [HOST_IP:]PORT",                    \
	  "remove a port forward", 3, 3, true)                                                     \
	X(nat_forward_list, "nat/forward-list", "NETWORK", "list port forwards", 1, 1, false)      \
	X(nat_show, "nat/show", "NETWORK", "show NAT flows, forwards and counters", 1, 1, false)   \
	X(mirror_add, "mirror/add",                                                                \
	  "SWITCH NAME [ingress=PORTS] [egress=PORTS] [vlans=LIST] output=PORT|output_vlan=N "     \
	  "[snaplen=N]",                                                                           \
	  "mirror frames of ports or VLANs to a port (SPAN) or a VLAN (RSPAN)", 3, -1, true)       \
	X(mirror_del, "mirror/del", "SWITCH NAME", "remove a mirror", 2, 2, true)                  \
	X(mirror_list, "mirror/list", "SWITCH", "list mirrors, their state and counters", 1, 1,    \
	  false)                                                                                   \
	X(capture, "capture",                                                                      \
	  "SWITCH PORT [--direction in|out|both] [--count N] [--snaplen N] [-w FILE]",             \
	  "capture a port's frames as pcap (stdout, or FILE); the daemon takes direction= "        \
	  "count= snaplen=",                                                                       \
	  2, 10, false)                                                                            \
	X(capture_list, "capture/list", "SWITCH", "list live captures and capture counters", 1, 1, \
	  false)                                                                                   \
	X(version, "version", "", "print the daemon's version", 0, 0, false)                       \
	X(help, "help", "[COMMAND]", "list commands, or show one command's usage", 0, 1, false)

/* The handlers; each returns 0, or -errno with r->err set (see cmd.h). */
#define CMD_DECLARE_(id, name, usage, help, min, max, mutates) \
	int cmd_##id(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
CMD_TABLE(CMD_DECLARE_)
#undef CMD_DECLARE_

/**
 * cmd_find() - the command named @name, or NULL
 */
const struct cmd_def *cmd_find(const char *name);

/**
 * cmd_all() - every command, in table order
 * @n: out: how many
 */
const struct cmd_def *cmd_all(unsigned *n);

/**
 * cmd_run() - check the argument count, run the command and, if it mutates
 * and succeeded, save the state file (when @d has a state dir)
 * Return: 0, or -errno with r->err set.
 */
int cmd_run(struct vnetd *d, const struct cmd_def *c, int argc, char **argv, struct cmd_reply *r);

/**
 * cmd_usage_ok() - is @argc within @c's bounds?
 */
bool cmd_usage_ok(const struct cmd_def *c, int argc);

/* Helpers the handlers share (cmd.c). */

/** cmd_error() - set r->err from @fmt. Return: -@errnum, for "return cmd_error(...)" */
int cmd_error(struct cmd_reply *r, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/** cmd_lookup_switch() - the switch named @name, or NULL with r->err set */
struct bridge *cmd_lookup_switch(struct vnetd *d, const char *name, struct cmd_reply *r);
/** cmd_lookup_port() - port @name of @br, or NULL with r->err set */
struct port *cmd_lookup_port(struct bridge *br, const char *name, struct cmd_reply *r);
/**
 * cmd_parse_opts() - "key=value" arguments into @l
 * Return: true, or false with r->err set.
 */
bool cmd_parse_opts(struct kv_list *l, int argc, char **argv, struct cmd_reply *r);
/**
 * cmd_hex_decode() - hex digits (optionally separated by ':', '-' or spaces) to bytes
 * Return: true with *@size set, or false if not hex or longer than @bufsz.
 */
bool cmd_hex_decode(const char *s, uint8_t *buf, size_t bufsz, size_t *size);
/** cmd_hex_encode() - bytes to a new lowercase hex string (free() it), or NULL */
char *cmd_hex_encode(const uint8_t *buf, size_t size);
/** cmd_parse_u64() - decimal (or 0x hex if @hex_ok) integer in [@min, @max] */
bool cmd_parse_u64(const char *s, uint64_t min, uint64_t max, bool hex_ok, uint64_t *out);

/*
 * A text table with aligned columns, for the human form of list commands.
 * Add a header row and data rows, then print; cells are copied.
 */
#define CMD_TAB_COLS 12
struct cmd_tab {
	unsigned n_cols;
	unsigned n_rows;
	unsigned cap_rows;
	char **cells; /* n_rows * n_cols */
	size_t width[CMD_TAB_COLS];
};

/** cmd_tab_init() - empty table of @n_cols columns (at most CMD_TAB_COLS) */
void cmd_tab_init(struct cmd_tab *t, unsigned n_cols);
/** cmd_tab_row() - add a row of n_cols strings (NULL prints as "-"). Return: 0 or -ENOMEM */
int cmd_tab_row(struct cmd_tab *t, const char *const *cells);
/** cmd_tab_print() - print with columns two spaces apart, no trailing blanks */
void cmd_tab_print(const struct cmd_tab *t, FILE *f);
/** cmd_tab_free() - free the cells */
void cmd_tab_free(struct cmd_tab *t);

#endif /* VNET_CMD_TABLE_H */
