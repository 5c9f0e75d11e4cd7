// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_config.c - the configuration file: validation errors name the file,
 * the field path and the reason; atomic save and reload round-trip; applying
 * a file is declarative and leaves unchanged ports alone; ports that fail to
 * open are kept in the saved state. Dummy ports only (plus one tap port that
 * fails to attach to a missing interface): no kernel devices are created.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "../../src/base/log.h"
#include "../../src/base/pkt.h"
#include "../../src/ctl/cmd_table.h"
#include "../../src/ctl/config.h"
#include "../../src/ctl/ctl.h"
#include "../../src/ctl/vnetd.h"
#include "../../src/switch/fdb.h"

static void test_name_valid(void **state)
{
	(void)state;
	assert_true(config_name_valid("sw0"));
	assert_true(config_name_valid("a"));
	assert_true(config_name_valid("A-b_c.9"));
	assert_true(config_name_valid("123456789012345"));
	assert_false(config_name_valid("1234567890123456"));
	assert_false(config_name_valid(""));
	assert_false(config_name_valid("-x"));
	assert_false(config_name_valid("."));
	assert_false(config_name_valid(".."));
	assert_false(config_name_valid("a/b"));
	assert_false(config_name_valid("a b"));
	assert_false(config_name_valid("a=b"));
	assert_false(config_name_valid("caf\xc3\xa9"));
}

static void expect_parse_error(const char *text, const char *want)
{
	char err[512] = "";
	struct config *c = config_parse(text, strlen(text), "f.json", err, sizeof(err));

	if (c) {
		config_free(c);
		fail_msg("accepted: %s", text);
	}
	if (strcmp(err, want))
		fail_msg("for %s\n  got:  %s\n  want: %s", text, err, want);
}

#define SW(body) "{\"version\":1,\"switches\":[" body "]}"
#define DUMMY "{\"type\":\"dummy\"}"

static void test_parse_errors(void **state)
{
	char err[512];

	(void)state;
	/* the example of the issue */
	expect_parse_error(SW("{\"name\":\"sw0\",\"ports\":[{\"name\":\"p1\",\"options\":" DUMMY
			      "},"
			      "{\"name\":\"p2\",\"options\":" DUMMY "},{\"name\":\"p3\","
			      "\"options\":{\"type\":\"dummy\",\"tag\":\"5000\"}}]}"),
			   "f.json: switches[0].ports[2].options.tag: VLAN id must be 1..4094");
	/* document level */
	expect_parse_error("[]", "f.json: the top level must be a JSON object");
	expect_parse_error("{\"switches\":[]}",
			   "f.json: version: missing (this vnetd reads version 1)");
	expect_parse_error("{\"version\":2,\"switches\":[]}",
			   "f.json: version: unsupported version (this vnetd reads version 1)");
	expect_parse_error("{\"version\":\"1\",\"switches\":[]}",
			   "f.json: version: unsupported version (this vnetd reads version 1)");
	expect_parse_error("{\"version\":1}", "f.json: switches: missing");
	expect_parse_error("{\"version\":1,\"switches\":{}}", "f.json: switches: must be an array");
	expect_parse_error("{\"version\":1,\"switches\":[],\"switchs\":[]}",
			   "f.json: switchs: unknown field");
	/* switches */
	expect_parse_error(SW("5"), "f.json: switches[0]: must be an object");
	expect_parse_error(SW("{}"), "f.json: switches[0].name: missing");
	expect_parse_error(SW("{\"name\":7}"), "f.json: switches[0].name: must be a string");
	expect_parse_error(SW("{\"name\":\"a/b\"}"),
			   "f.json: switches[0].name: invalid switch name 'a/b': use 1..15 of "
			   "A-Z a-z 0-9 _ . -");
	expect_parse_error(
		SW("{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":\"a\"}"),
		"f.json: switches[2].name: duplicate switch name 'a' (also switches[0])");
	expect_parse_error(SW("{\"name\":\"a\",\"prots\":[]}"),
			   "f.json: switches[0].prots: unknown field");
	expect_parse_error(
		SW("{\"name\":\"a\",\"options\":{\"aging\":\"0\"}}"),
		"f.json: switches[0].options.aging: expected an integer from 1 to 1000000");
	expect_parse_error(SW("{\"name\":\"a\",\"options\":{\"fdb_max\":\"2000000\"}}"),
			   "f.json: switches[0].options.fdb_max: expected an integer from 1 to "
			   "1000000");
	expect_parse_error(SW("{\"name\":\"a\",\"options\":{\"colour\":\"x\"}}"),
			   "f.json: switches[0].options.colour: unknown switch option 'colour'");
	expect_parse_error(SW("{\"name\":\"a\",\"options\":{\"aging\":[1]}}"),
			   "f.json: switches[0].options.aging: must be a string");
	expect_parse_error(SW("{\"name\":\"a\",\"options\":[]}"),
			   "f.json: switches[0].options: must be an object of \"key\": \"value\" "
			   "strings");
	/* ports */
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":{}}"),
			   "f.json: switches[0].ports: must be an array");
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"options\":" DUMMY "}]}"),
			   "f.json: switches[0].ports[0].name: missing");
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"name\":\"p\",\"options\":" DUMMY "},"
			      "{\"name\":\"p\",\"options\":" DUMMY "}]}"),
			   "f.json: switches[0].ports[1].name: duplicate port name 'p' (also "
			   "ports[0])");
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"name\":\"p\",\"options\":{\"type\":"
			      "\"dummy\",\"colour\":\"x\"}}]}"),
			   "f.json: switches[0].ports[0].options.colour: unknown option 'colour' "
			   "for a dummy port");
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"name\":\"p\",\"options\":{\"type\":"
			      "\"warp\"}}]}"),
			   "f.json: switches[0].ports[0].options.type: unknown port type");
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"name\":\"p\",\"options\":{\"type\":"
			      "\"dummy\",\"vlan_mode\":\"access\"}}]}"),
			   "f.json: switches[0].ports[0].options.vlan_mode: vlan_mode=access needs "
			   "tag=1..4094");
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"name\":\"p\",\"options\":{\"type\":"
			      "\"dummy\",\"x=y\":\"1\"}}]}"),
			   "f.json: switches[0].ports[0].options.x=y: invalid option name");
	/* two ports on one interface, explicit or by the port-name default */
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"name\":\"p\",\"options\":{\"type\":"
			      "\"tap\",\"ifname\":\"vt1\"}}]},{\"name\":\"b\",\"ports\":[{\"name\":"
			      "\"q\",\"options\":{\"ifname\":\"vt1\"}}]}"),
			   "f.json: switches[1].ports[0].options.ifname: interface vt1 is already "
			   "used by another port");
	expect_parse_error(SW("{\"name\":\"a\",\"ports\":[{\"name\":\"vt1\"}]},{\"name\":\"b\","
			      "\"ports\":[{\"name\":\"vt1\"}]}"),
			   "f.json: switches[1].ports[0].name: interface vt1 is already used by "
			   "another port");
	/* static MAC entries */
#define FDB(e) \
	SW("{\"name\":\"a\",\"ports\":[{\"name\":\"p\",\"options\":" DUMMY "}],\"fdb\":[" e "]}")
	expect_parse_error(FDB("{\"mac\":\"zz\",\"vlan\":1,\"port\":\"p\"}"),
			   "f.json: switches[0].fdb[0].mac: invalid MAC address 'zz'");
	expect_parse_error(FDB("{\"mac\":\"01:00:5e:00:00:01\",\"vlan\":1,\"port\":\"p\"}"),
			   "f.json: switches[0].fdb[0].mac: 01:00:5e:00:00:01: a MAC entry needs a "
			   "unicast address");
	expect_parse_error(FDB("{\"mac\":\"02:00:00:00:00:01\",\"vlan\":4095,\"port\":\"p\"}"),
			   "f.json: switches[0].fdb[0].vlan: VLAN must be an integer 0..4094");
	expect_parse_error(FDB("{\"mac\":\"02:00:00:00:00:01\",\"vlan\":\"1\",\"port\":\"p\"}"),
			   "f.json: switches[0].fdb[0].vlan: VLAN must be an integer 0..4094");
	expect_parse_error(FDB("{\"mac\":\"02:00:00:00:00:01\",\"port\":\"p\"}"),
			   "f.json: switches[0].fdb[0].vlan: missing");
	expect_parse_error(FDB("{\"mac\":\"02:00:00:00:00:01\",\"vlan\":1,\"port\":\"q\"}"),
			   "f.json: switches[0].fdb[0].port: switch a has no port named 'q'");
	expect_parse_error(FDB("{\"mac\":\"02:00:00:00:00:01\",\"vlan\":1,\"port\":\"p\"},"
			       "{\"mac\":\"02:00:00:00:00:02\",\"vlan\":1,\"port\":\"p\"},"
			       "{\"mac\":\"02:00:00:00:00:01\",\"vlan\":1,\"port\":\"p\"}"),
			   "f.json: switches[0].fdb[2]: duplicate MAC entry 02:00:00:00:00:01 in "
			   "VLAN 1");
	expect_parse_error(FDB("{\"mac\":\"02:00:00:00:00:01\",\"vlan\":1,\"port\":\"p\","
			       "\"static\":true}"),
			   "f.json: switches[0].fdb[0].static: unknown field");

	/* JSON syntax errors name the line and column */
	assert_null(config_parse("{\n\"version\": 1,,", 15, "f.json", err, sizeof(err)));
	assert_memory_equal(err, "f.json:2:", 9);
}

static void test_parse_ok(void **state)
{
	static const char text[] =
		SW("{\"name\":\"sw0\",\"options\":{\"aging\":60},\"ports\":[{\"name\":\"p1\","
		   "\"options\":{\"type\":\"dummy\",\"vlan_mode\":\"access\",\"tag\":\"10\"}},"
		   "{\"name\":\"p2\"}],\"fdb\":[{\"mac\":\"02:00:00:00:00:01\",\"vlan\":10,"
		   "\"port\":\"p1\"}]},{\"name\":\"empty\"}");
	char err[512];
	struct config *c = config_parse(text, sizeof(text) - 1, "f.json", err, sizeof(err));

	(void)state;
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_switches, 2);
	assert_string_equal(c->switches[0].name, "sw0");
	assert_int_equal(c->switches[0].opts.n, 1);
	assert_string_equal(c->switches[0].opts.kv[0].val, "60"); /* integers kept as text */
	assert_int_equal(c->switches[0].n_ports, 2);
	assert_int_equal(c->switches[0].ports[1].opts.n, 0); /* a tap named p2, by default */
	assert_int_equal(c->switches[0].n_fdb, 1);
	assert_int_equal(c->switches[0].fdb[0].vlan, 10);
	assert_int_equal(c->switches[0].fdb[0].mac[5], 1);
	assert_string_equal(c->switches[0].fdb[0].port, "p1");
	assert_int_equal(c->switches[1].n_ports, 0);
	config_free(c);
}

/* ---- applying, saving, loading ---- */

static struct vnetd *vnetd_new(const char *state_dir)
{
	struct vnetd *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	assert_int_equal(evloop_init(&d->dp.loop), 0);
	d->dp.pool = pkt_pool_create(64);
	assert_non_null(d->dp.pool);
	if (state_dir)
		snprintf(d->state_dir, sizeof(d->state_dir), "%s", state_dir);
	return d;
}

static void vnetd_free(struct vnetd *d)
{
	for (unsigned i = 0; i < VNETD_MAX_SWITCHES; i++)
		bridge_destroy(d->bridges[i]);
	config_stale_free(d);
	evloop_fini(&d->dp.loop);
	pkt_pool_destroy(d->dp.pool);
	free(d);
}

static struct config *parse_ok(const char *text)
{
	char err[512];
	struct config *c = config_parse(text, strlen(text), "t.json", err, sizeof(err));

	if (!c)
		fail_msg("%s", err);
	return c;
}

static unsigned apply_text(struct vnetd *d, const char *text)
{
	struct config *c = parse_ok(text);
	unsigned failed = config_apply(d, c);

	config_free(c);
	return failed;
}

/* Files in @dir other than "." and ".." */
static unsigned count_files(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(dh);
	while ((e = readdir(dh)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dh);
	return n;
}

static void rm_dir(const char *dir)
{
	char p[PATH_MAX + 32];
	DIR *dh = opendir(dir);
	struct dirent *e;

	if (!dh)
		return;
	while ((e = readdir(dh))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	}
	closedir(dh);
	rmdir(dir);
}

static const char cfg_a[] =
	SW("{\"name\":\"sw0\",\"options\":{\"aging\":\"60\"},\"ports\":["
	   "{\"name\":\"p1\",\"options\":{\"type\":\"dummy\",\"vlan_mode\":\"access\",\"tag\":"
	   "\"10\"}},"
	   "{\"name\":\"p2\",\"options\":{\"type\":\"dummy\",\"trunks\":\"10,20\"}},"
	   "{\"name\":\"p3\",\"options\":{\"type\":\"dummy\"}}],"
	   "\"fdb\":[{\"mac\":\"02:00:00:00:00:01\",\"vlan\":10,\"port\":\"p1\"},"
	   "{\"mac\":\"02:00:00:00:00:02\",\"vlan\":20,\"port\":\"p2\"}]},"
	   "{\"name\":\"sw1\",\"options\":{\"fdb_max\":\"100\"},\"ports\":["
	   "{\"name\":\"q1\",\"options\":{\"type\":\"dummy\"}}]}");

static void test_save_load_roundtrip(void **state)
{
	char dir[] = "/tmp/test_config.XXXXXX", path[PATH_MAX], err[512];
	struct vnetd *d, *d2;
	struct config *c;
	struct stat st;
	json_t *j1, *j2, *file;
	json_error_t je;

	(void)state;
	assert_non_null(mkdtemp(dir));
	d = vnetd_new(dir);
	assert_int_equal(apply_text(d, cfg_a), 0);
	assert_non_null(vnetd_bridge_find(d, "sw0"));
	assert_int_equal(vnetd_bridge_find(d, "sw0")->n_ports, 3);
	assert_int_equal(fdb_get_aging(vnetd_bridge_find(d, "sw0")->fdb), 60);
	assert_int_equal(fdb_get_max(vnetd_bridge_find(d, "sw1")->fdb), 100);

	assert_int_equal(config_save(d, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, CONFIG_STATE_FILE);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_files(dir), 1); /* no temp file left behind */

	/* the file is the running state, static entries included */
	j1 = config_to_json(d);
	file = json_load_file(path, 0, &je);
	assert_non_null(file);
	assert_true(json_equal(j1, file));
	assert_int_equal(json_array_size(json_object_get(
				 json_array_get(json_object_get(file, "switches"), 0), "fdb")),
			 2);

	/* loading it into a fresh daemon gives the same state */
	c = config_load(path, NULL, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	d2 = vnetd_new(NULL);
	assert_int_equal(config_apply(d2, c), 0);
	config_free(c);
	j2 = config_to_json(d2);
	assert_true(json_equal(j1, j2));

	/* saving again replaces the file atomically, still one file */
	assert_int_equal(config_save(d, err, sizeof(err)), 0);
	assert_int_equal(count_files(dir), 1);

	json_decref(j1);
	json_decref(j2);
	json_decref(file);
	vnetd_free(d2);
	vnetd_free(d);
	rm_dir(dir);
}

static void test_apply_declarative(void **state)
{
	struct vnetd *d = vnetd_new(NULL);
	struct bridge *sw0, *sw1;
	struct port *p1, *p2, *p3;
	char j[1024];

	(void)state;
	assert_int_equal(apply_text(d, cfg_a), 0);
	sw0 = vnetd_bridge_find(d, "sw0");
	sw1 = vnetd_bridge_find(d, "sw1");
	p1 = bridge_port_find(sw0, "p1");
	p2 = bridge_port_find(sw0, "p2");
	p3 = bridge_port_find(sw0, "p3");
	/* a learned entry on p3, which stays as it is, must survive the reload */
	fdb_learn(sw0->fdb, 0, (const uint8_t[6]){ 2, 0, 0, 0, 0, 0x33 }, p3->idx, 1);

	/* p1 unchanged, p2 retagged, p3 unchanged, p4 new; sw1 gone; aging back to default */
	snprintf(j, sizeof(j), "%s",
		 SW("{\"name\":\"sw0\",\"ports\":["
		    "{\"name\":\"p1\",\"options\":{\"type\":\"dummy\",\"vlan_mode\":\"access\","
		    "\"tag\":\"10\"}},"
		    "{\"name\":\"p2\",\"options\":{\"type\":\"dummy\",\"trunks\":\"30\"}},"
		    "{\"name\":\"p3\",\"options\":{\"type\":\"dummy\"}},"
		    "{\"name\":\"p4\",\"options\":{\"type\":\"dummy\",\"tag\":\"30\"}}],"
		    "\"fdb\":[{\"mac\":\"02:00:00:00:00:01\",\"vlan\":10,\"port\":\"p1\"}]}"));
	assert_int_equal(apply_text(d, j), 0);
	assert_ptr_equal(vnetd_bridge_find(d, "sw0"), sw0);
	assert_null(vnetd_bridge_find(d, "sw1"));
	assert_int_equal(fdb_get_aging(sw0->fdb), FDB_AGING_DEFAULT_S);
	assert_ptr_equal(bridge_port_find(sw0, "p1"), p1);
	assert_ptr_equal(bridge_port_find(sw0, "p2"), p2); /* changed in place */
	assert_true(vlan_member(&p2->vlan, 30));
	assert_false(vlan_member(&p2->vlan, 10));
	assert_ptr_equal(bridge_port_find(sw0, "p3"), p3);
	assert_non_null(bridge_port_find(sw0, "p4"));
	assert_int_equal(sw0->n_ports, 4);
	/* static entries follow the file; the learned one on p3 is kept */
	assert_int_equal(fdb_lookup(sw0->fdb, 10, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }), p1->idx);
	assert_int_equal(fdb_lookup(sw0->fdb, 20, (const uint8_t[6]){ 2, 0, 0, 0, 0, 2 }),
			 FDB_PORT_NONE);
	assert_int_equal(fdb_lookup(sw0->fdb, 0, (const uint8_t[6]){ 2, 0, 0, 0, 0, 0x33 }),
			 p3->idx);

	/* removing an option (vlan settings of p4) and a port; fdb_max change recreates */
	assert_int_equal(
		apply_text(d, SW("{\"name\":\"sw0\",\"options\":{\"fdb_max\":\"50\"},\"ports\":["
				 "{\"name\":\"p4\",\"options\":{\"type\":\"dummy\"}}]}")),
		0);
	sw0 = vnetd_bridge_find(d, "sw0");
	assert_non_null(sw0);
	assert_int_equal(fdb_get_max(sw0->fdb), 50);
	assert_int_equal(sw0->n_ports, 1);
	assert_int_equal(bridge_port_find(sw0, "p4")->vlan.mode, VLAN_MODE_TRUNK);

	/* an empty file removes everything */
	assert_int_equal(apply_text(d, SW("")), 0);
	for (unsigned i = 0; i < VNETD_MAX_SWITCHES; i++)
		assert_null(d->bridges[i]);
	(void)sw1;
	vnetd_free(d);
}

/* A port that cannot be opened stays configured: listed as failed, saved, removable. */
static void test_stale_port(void **state)
{
	static const char text[] =
		SW("{\"name\":\"sw0\",\"ports\":[{\"name\":\"ok\",\"options\":" DUMMY "},"
		   "{\"name\":\"gone\",\"options\":{\"type\":\"tap\",\"attach\":\"netdev\","
		   "\"ifname\":\"vnetnoexist9\",\"tag\":\"5\"}}]}");
	struct vnetd *d = vnetd_new(NULL);
	struct cmd_reply r = { 0 };
	char *text_out = NULL, *argv[] = { "sw0", "gone", NULL };
	size_t size;
	json_t *doc, *ports;

	(void)state;
	assert_int_equal(apply_text(d, text), 1);
	assert_int_equal(d->n_stale, 1);
	assert_non_null(config_stale_find(d, "sw0", "gone"));
	assert_null(bridge_port_find(vnetd_bridge_find(d, "sw0"), "gone"));

	doc = config_to_json(d);
	ports = json_object_get(json_array_get(json_object_get(doc, "switches"), 0), "ports");
	assert_int_equal(json_array_size(ports), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ports, 1), "name")),
			    "gone");
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_array_get(ports, 1), "options"), "ifname")),
		"vnetnoexist9");
	json_decref(doc);

	/* port/list reports it as failed, with the reason */
	r.text = open_memstream(&text_out, &size);
	assert_int_equal(cmd_run(d, cmd_find("port/list"), 1, argv, &r), 0);
	fclose(r.text);
	assert_non_null(strstr(text_out, "failed"));
	assert_string_equal(
		json_string_value(json_object_get(json_array_get(r.result, 1), "state")), "failed");
	json_decref(r.result);
	free(text_out);

	/* port/set refuses it; port/del forgets it */
	memset(&r, 0, sizeof(r));
	r.text = open_memstream(&text_out, &size);
	argv[2] = "tag=6";
	assert_int_equal(cmd_run(d, cmd_find("port/set"), 3, argv, &r), -ENODEV);
	assert_int_equal(cmd_run(d, cmd_find("port/del"), 2, argv, &r), 0);
	fclose(r.text);
	free(text_out);
	assert_int_equal(d->n_stale, 0);

	/* reapplying the same file records it again, once */
	assert_int_equal(apply_text(d, text), 1);
	assert_int_equal(apply_text(d, text), 1);
	assert_int_equal(d->n_stale, 1);
	/* and a file without it forgets it */
	assert_int_equal(apply_text(d, SW("{\"name\":\"sw0\"}")), 0);
	assert_int_equal(d->n_stale, 0);
	vnetd_free(d);
}

static void test_load_and_write_errors(void **state)
{
	char dir[] = "/tmp/test_config.XXXXXX", path[PATH_MAX], err[512];
	bool missing = false;
	json_t *doc = json_pack("{s:i, s:[]}", "version", 1, "switches");
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none.json", dir);
	assert_null(config_load(path, &missing, err, sizeof(err)));
	assert_true(missing);
	assert_non_null(strstr(err, "none.json"));
	assert_null(config_load(dir, &missing, err, sizeof(err))); /* a directory */
	assert_false(missing);
	assert_non_null(strstr(err, "not a regular file"));

	/* a truncated file names itself */
	snprintf(path, sizeof(path), "%s/cut.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"version\":1,\"swit", f);
	fclose(f);
	assert_null(config_load(path, &missing, err, sizeof(err)));
	assert_false(missing);
	assert_memory_equal(err, path, strlen(path));
	unlink(path);

	/* writing into a missing directory fails cleanly and leaves nothing */
	snprintf(path, sizeof(path), "%s/nodir/config.json", dir);
	assert_int_equal(config_write_file(path, doc, err, sizeof(err)), -ENOENT);
	assert_int_equal(count_files(dir), 0);
	snprintf(path, sizeof(path), "%s/config.json", dir);
	assert_int_equal(config_write_file(path, doc, err, sizeof(err)), 0);
	assert_int_equal(count_files(dir), 1);
	json_decref(doc);
	rm_dir(dir);

	/* config_mkdir_p makes the parents */
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(config_mkdir_p(path, 0755), 0);
	assert_int_equal(access(path, F_OK), 0);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a/b", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/a", dir);
	rmdir(path);
	rmdir(dir);
}

static char *req(struct vnetd *d, const char *line)
{
	size_t size;
	char *out = ctl_request_run(d, line, strlen(line), &size);

	assert_non_null(out);
	return out;
}

/* A mutating command saves the state; a failing one leaves the file untouched. */
static void test_commands_persist(void **state)
{
	char dir[] = "/tmp/test_config.XXXXXX", path[PATH_MAX], err[512];
	struct vnetd *d;
	struct config *c;
	char *out;

	(void)state;
	assert_non_null(mkdtemp(dir));
	d = vnetd_new(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, CONFIG_STATE_FILE);
	out = req(d, "{\"cmd\":\"switch/add\",\"args\":[\"sw0\"]}");
	assert_non_null(strstr(out, "\"ok\":true"));
	free(out);
	out = req(d, "{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"d1\",\"type=dummy\",\"tag=7\"]}");
	assert_non_null(strstr(out, "\"ok\":true"));
	free(out);
	out = req(d, "{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"d2\",\"type=dummy\",\"tag=0\"]}");
	assert_non_null(strstr(out, "\"ok\":false"));
	free(out);
	c = config_load(path, NULL, err, sizeof(err));
	if (!c)
		fail_msg("%s", err);
	assert_int_equal(c->n_switches, 1);
	assert_int_equal(c->switches[0].n_ports, 1);
	assert_string_equal(c->switches[0].ports[0].name, "d1");
	config_free(c);
	vnetd_free(d);
	rm_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_valid),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_save_load_roundtrip),
		cmocka_unit_test(test_apply_declarative),
		cmocka_unit_test(test_stale_port),
		cmocka_unit_test(test_load_and_write_errors),
		cmocka_unit_test(test_commands_persist),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
