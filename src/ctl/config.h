/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.h - the configuration file: parsing and validating it, applying it
 * to the running daemon, and saving the running state atomically.
 *
 * Theory of operation
 * -------------------
 * One format serves both the state file (STATE_DIR/config.json, written by
 * vnetd after every successful mutating command) and the declarative file
 * given with --config:
 *
 *   {"version": 1, "switches": [{"name": "sw0", "options": {"aging": "300"},
 *     "ports": [{"name": "p1", "options": {"type": "tap", "ifname": "vt1"}}],
 *     "fdb": [{"mac": "02:00:00:00:00:01", "vlan": 10, "port": "p1"}]}]}
 *
 * Loading is two-phase. config_parse() reads and validates the WHOLE file
 * (schema, names, duplicates, bridge_validate(), port_validate(), MACs,
 * VLANs) into a struct config without touching the daemon, and reports the
 * first problem as "FILE: switches[0].ports[2].options.tag: reason". Only a
 * file that passed is handed to config_apply(), which makes the running
 * daemon match it (switches and ports that are not in the file are removed,
 * unchanged ones are left alone so their taps and learned MACs survive).
 *
 * A port that passes validation but cannot be opened at apply time (its
 * ifname is busy, say) is logged and kept as a "stale" port: it is listed by
 * port/list as failed and stays in the saved state, so a transient failure
 * at boot does not erase it from the configuration.
 *
 * Saving writes a temp file in the state dir, fsyncs it, renames it over
 * config.json and fsyncs the directory, so a crash at any point leaves
 * either the old or the new file, never a torn one.
 */
#ifndef VNET_CONFIG_H
#define VNET_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "../base/kv.h"
#include "../port/port.h"
#include "../switch/bridge.h"
#include "../switch/mirror.h"

#define CONFIG_VERSION 1
#define CONFIG_STATE_FILE "config.json"
#define CONFIG_FILE_MAX_SIZE (64u << 20) /* bytes: refuse larger config files */
#define CONFIG_NAME_MAX 15 /* switch/port name chars, so an ifname can match */
#define CONFIG_FDB_MAX 65536 /* static MAC entries per switch in a file */

struct vnetd;

/** struct config_port - one port of a parsed file */
struct config_port {
	char name[PORT_NAME_MAX];
	struct kv_list opts; /* type= included when the file gave it */
};

/** struct config_fdb - one static MAC entry of a parsed file */
struct config_fdb {
	uint8_t mac[6];
	uint16_t vlan;
	char port[PORT_NAME_MAX];
};

/** struct config_mirror - one mirror of a parsed file (mirror.h) */
struct config_mirror {
	char name[MIRROR_NAME_MAX];
	struct kv_list opts;
};

/** struct config_switch - one switch of a parsed file */
struct config_switch {
	char name[BRIDGE_NAME_MAX];
	struct kv_list opts;
	unsigned n_ports;
	struct config_port *ports;
	unsigned n_fdb;
	struct config_fdb *fdb;
	unsigned n_mirrors;
	struct config_mirror *mirrors;
};

/** struct config - a whole parsed and validated file */
struct config {
	unsigned n_switches;
	struct config_switch *switches;
};

/**
 * struct config_stale - a configured port that failed to open
 * @sw:     its switch
 * @port:   name and options, as configured
 * @reason: why it failed, for port/list
 */
struct config_stale {
	char sw[BRIDGE_NAME_MAX];
	struct config_port port;
	char reason[128];
};

/**
 * config_name_valid() - is @name a valid switch or port name?
 * 1..CONFIG_NAME_MAX characters of [A-Za-z0-9_.-], not starting with '-'
 * (it would read as an option), and not "." or "..".
 */
bool config_name_valid(const char *name);

/**
 * config_parse() - parse and validate a whole configuration document
 * @text/@size: the file's bytes
 * @file:       name used in error messages
 * @err:        on failure "FILE: field.path: reason"
 * Return: the configuration, or NULL with @err set.
 */
struct config *config_parse(const char *text, size_t size, const char *file, char *err,
			    size_t errsz);

/**
 * config_load() - read @path and config_parse() it
 * @missing: if not NULL, set to true when the file does not exist (and NULL is returned)
 * Return: the configuration, or NULL with @err set.
 */
struct config *config_load(const char *path, bool *missing, char *err, size_t errsz);

/** config_free() - accepts NULL */
void config_free(struct config *c);

/**
 * config_apply() - make the running daemon match @c
 * Failures of single ports are logged and recorded as stale; fdb entries
 * that cannot be added are logged. Return: ports that could not be opened.
 */
unsigned config_apply(struct vnetd *d, const struct config *c);

/** config_kv_to_json() - options as a JSON object of strings (new reference) */
json_t *config_kv_to_json(const struct kv_list *l);

/** config_to_json() - the running state as a configuration document (new reference) */
json_t *config_to_json(struct vnetd *d);

/**
 * config_write_file() - write @doc to @path atomically (temp, fsync, rename, fsync dir)
 * Return: 0, or -errno with @err set.
 */
int config_write_file(const char *path, json_t *doc, char *err, size_t errsz);

/** config_mkdir_p() - create @dir and its missing parents with @mode. Return: 0 or -errno */
int config_mkdir_p(const char *dir, mode_t mode);

/**
 * config_save() - save the running state to STATE_DIR/config.json
 * Does nothing when d->state_dir is empty (tests, fuzzing).
 * Return: 0, or -errno with @err set.
 */
int config_save(struct vnetd *d, char *err, size_t errsz);

/**
 * config_stale_add() - remember a port that failed to open (replaces one of the same name)
 * Return: 0 or -ENOMEM.
 */
int config_stale_add(struct vnetd *d, const char *sw, const char *name, const struct kv_list *opts,
		     const char *reason);
/** config_stale_find() - the stale port @name of switch @sw, or NULL */
struct config_stale *config_stale_find(struct vnetd *d, const char *sw, const char *name);
/**
 * config_stale_del() - forget stale port @name of @sw (all of @sw's if @name is NULL)
 * Return: how many were removed.
 */
unsigned config_stale_del(struct vnetd *d, const char *sw, const char *name);
/** config_stale_free() - forget all stale ports */
void config_stale_free(struct vnetd *d);

#endif /* VNET_CONFIG_H */
