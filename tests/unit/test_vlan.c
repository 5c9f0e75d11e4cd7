// SPDX-License-Identifier: GPL-2.0-or-later
/* test_vlan.c - unit tests of VLAN modes: parsing, ingress classification, egress tagging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../src/net/vlan.h"

static struct vlan_cfg parse_ok(const char *mode, const char *tag, const char *trunks)
{
	struct vlan_cfg c;
	char err[160];

	memset(&c, 0x5a, sizeof(c));
	if (!vlan_cfg_parse(&c, mode, tag, trunks, err, sizeof(err)))
		fail_msg("parse of mode=%s tag=%s trunks=%s failed: %s", mode ? mode : "(none)",
			 tag ? tag : "(none)", trunks ? trunks : "(none)", err);
	return c;
}

/* The parse must fail, leave the config alone and say something that contains @want. */
static void parse_bad(const char *mode, const char *tag, const char *trunks, const char *want)
{
	struct vlan_cfg c, before;
	char err[160];

	vlan_cfg_default(&c);
	c.tag = 77;
	before = c;
	assert_false(vlan_cfg_parse(&c, mode, tag, trunks, err, sizeof(err)));
	assert_memory_equal(&c, &before, sizeof(c));
	assert_true(strlen(err) > 0);
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

/* Ingress outcome: the VLAN if accepted, or -(reason + 1) if dropped. */
static int ingress(const struct vlan_cfg *c, bool tagged, uint16_t vid, bool inner)
{
	uint16_t vlan = 0xffff;
	enum drop_reason why = N_DROP;

	if (vlan_ingress(c, tagged, vid, inner, &vlan, &why)) {
		assert_true(vlan < 4096);
		return vlan;
	}
	assert_true(why < N_DROP);
	return -(int)why - 1;
}

#define DROPPED(r) (-(int)DROP_##r - 1)

static void test_default(void **state)
{
	struct vlan_cfg c;
	char buf[64];

	(void)state;
	vlan_cfg_default(&c);
	assert_int_equal(c.mode, VLAN_MODE_TRUNK);
	assert_int_equal(c.tag, 0);
	assert_true(c.trunks_all);
	for (unsigned v = 0; v < 4096; v++)
		assert_true(vlan_member(&c, (uint16_t)v));
	assert_false(vlan_member(&c, 4096));
	assert_string_equal(vlan_trunks_format(&c, buf, sizeof(buf)), "");

	/* no settings at all parse to the same thing */
	c = parse_ok(NULL, NULL, NULL);
	assert_int_equal(c.mode, VLAN_MODE_TRUNK);
	assert_true(c.trunks_all);
}

static void test_mode_names(void **state)
{
	(void)state;
	assert_string_equal(vlan_mode_name(VLAN_MODE_TRUNK), "trunk");
	assert_string_equal(vlan_mode_name(VLAN_MODE_ACCESS), "access");
	assert_string_equal(vlan_mode_name(VLAN_MODE_NATIVE_TAGGED), "native-tagged");
	assert_string_equal(vlan_mode_name(VLAN_MODE_NATIVE_UNTAGGED), "native-untagged");
	assert_int_equal(parse_ok("native-untagged", "3", NULL).mode, VLAN_MODE_NATIVE_UNTAGGED);
	assert_int_equal(parse_ok("native-tagged", "3", NULL).mode, VLAN_MODE_NATIVE_TAGGED);
	assert_int_equal(parse_ok("access", "3", NULL).mode, VLAN_MODE_ACCESS);
	assert_int_equal(parse_ok("trunk", NULL, "3").mode, VLAN_MODE_TRUNK);
}

static void test_parse_ok(void **state)
{
	struct vlan_cfg c;
	char buf[64];

	(void)state;
	/* missing vlan_mode: access with a tag, trunk without */
	c = parse_ok(NULL, "100", NULL);
	assert_int_equal(c.mode, VLAN_MODE_ACCESS);
	assert_int_equal(c.tag, 100);
	c = parse_ok(NULL, NULL, "10,20");
	assert_int_equal(c.mode, VLAN_MODE_TRUNK);
	assert_false(c.trunks_all);

	c = parse_ok("trunk", NULL, "10,20,30-40,0,4095");
	assert_int_equal(c.tag, 0);
	assert_false(c.trunks_all);
	for (unsigned v = 0; v < 4096; v++) {
		bool want = v == 0 || v == 10 || v == 20 || (v >= 30 && v <= 40) || v == 4095;

		assert_int_equal(vlan_member(&c, (uint16_t)v), want);
	}
	assert_string_equal(vlan_trunks_format(&c, buf, sizeof(buf)), "0,10,20,30-40,4095");

	/* empty trunks = all, and ranges of one and overlaps are fine */
	c = parse_ok("trunk", NULL, "");
	assert_true(c.trunks_all);
	c = parse_ok("native-tagged", "1", "5-5,4-6,4094");
	assert_string_equal(vlan_trunks_format(&c, buf, sizeof(buf)), "4-6,4094");
	assert_int_equal(c.tag, 1);
	c = parse_ok("native-untagged", "4094", "0-4095");
	assert_string_equal(vlan_trunks_format(&c, buf, sizeof(buf)), "0-4095");
	c = parse_ok("access", "0007", "");
	assert_int_equal(c.tag, 7);

	/* format round-trips through parse and cuts cleanly when short of room */
	c = parse_ok("trunk", NULL, "1,3,5,7-9,100-200,300");
	assert_string_equal(vlan_trunks_format(&c, buf, sizeof(buf)), "1,3,5,7-9,100-200,300");
	{
		struct vlan_cfg d = parse_ok("trunk", NULL, buf);

		assert_memory_equal(d.trunks, c.trunks, sizeof(c.trunks));
	}
	assert_string_equal(vlan_trunks_format(&c, buf, 8), "1,3,5,7");
	assert_string_equal(vlan_trunks_format(&c, buf, 1), "");
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_bad("bogus", NULL, NULL, "vlan_mode=bogus");
	parse_bad("Trunk", NULL, NULL, "vlan_mode=Trunk");
	parse_bad("", NULL, NULL, "vlan_mode=");

	parse_bad(NULL, "5000", NULL, "tag=5000: VLAN id must be 1..4094");
	parse_bad(NULL, "4095", NULL, "tag=4095: VLAN id must be 1..4094");
	parse_bad(NULL, "0", NULL, "tag=0: VLAN id must be 1..4094");
	parse_bad("access", "-1", NULL, "tag=-1");
	parse_bad("access", "abc", NULL, "tag=abc");
	parse_bad("access", "", NULL, "tag=:");
	parse_bad("access", "10 ", NULL, "tag=10 ");
	parse_bad("access", "99999999999999999999", NULL, "tag=99999999999999999999");

	parse_bad("trunk", NULL, "4096", "trunks=4096");
	parse_bad("trunk", NULL, "10, 20", "trunks=10, 20");
	parse_bad("trunk", NULL, " 10", "trunks= 10");
	parse_bad("trunk", NULL, "10,", "trunks=10,");
	parse_bad("trunk", NULL, ",10", "trunks=,10");
	parse_bad("trunk", NULL, "10,,20", "trunks=10,,20");
	parse_bad("trunk", NULL, "40-30", "trunks=40-30");
	parse_bad("trunk", NULL, "30-", "trunks=30-");
	parse_bad("trunk", NULL, "-30", "trunks=-30");
	parse_bad("trunk", NULL, "1-2-3", "trunks=1-2-3");
	parse_bad("trunk", NULL, "0x10", "trunks=0x10");

	/* mode/field combinations */
	parse_bad("trunk", "10", NULL, "tag=10");
	parse_bad("access", NULL, NULL, "access");
	parse_bad("access", "10", "20", "trunks=20");
	parse_bad(NULL, "10", "20", "trunks=20");
	parse_bad("native-tagged", NULL, "20", "native-tagged");
	parse_bad("native-untagged", NULL, NULL, "native-untagged");
}

static void test_parse_small_err_buffer(void **state)
{
	struct vlan_cfg c;
	char err[8];

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_false(vlan_cfg_parse(&c, NULL, "5000", NULL, err, sizeof(err)));
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_false(vlan_cfg_parse(&c, NULL, "5000", NULL, NULL, 0));
}

static void test_trunk_ingress(void **state)
{
	struct vlan_cfg all, some;

	(void)state;
	all = parse_ok("trunk", NULL, NULL);
	some = parse_ok("trunk", NULL, "10,20");

	assert_int_equal(ingress(&all, false, 0, false), 0); /* untagged = VLAN 0 */
	assert_int_equal(ingress(&all, true, 0, false), 0); /* priority tag = untagged */
	assert_int_equal(ingress(&all, true, 10, false), 10);
	assert_int_equal(ingress(&all, true, 4095, false), 4095);
	assert_int_equal(ingress(&all, true, 10, true), 10); /* QinQ payload passes */
	assert_int_equal(ingress(&all, true, 0, true), DROPPED(STACKED_VLAN));

	assert_int_equal(ingress(&some, true, 10, false), 10);
	assert_int_equal(ingress(&some, true, 20, true), 20);
	assert_int_equal(ingress(&some, true, 30, false), DROPPED(VLAN_NOT_ALLOWED));
	/* VLAN 0 must be in trunks for untagged frames to pass */
	assert_int_equal(ingress(&some, false, 0, false), DROPPED(VLAN_NOT_ALLOWED));
	assert_int_equal(ingress(&some, true, 0, false), DROPPED(VLAN_NOT_ALLOWED));
	some = parse_ok("trunk", NULL, "0,10");
	assert_int_equal(ingress(&some, false, 0, false), 0);
	assert_int_equal(ingress(&some, true, 0, false), 0);

	/* a VID that cannot be on the wire is refused, whatever the trunks */
	assert_int_equal(ingress(&all, true, 4096, false), DROPPED(VLAN_NOT_ALLOWED));
	/* an untagged frame ignores @vid */
	assert_int_equal(ingress(&some, false, 99, false), 0);
}

static void test_access_ingress(void **state)
{
	struct vlan_cfg c;

	(void)state;
	c = parse_ok("access", "100", NULL);
	assert_int_equal(ingress(&c, false, 0, false), 100);
	assert_int_equal(ingress(&c, true, 0, false), 100);
	/* any non-zero VID is refused, the port's own VLAN included */
	assert_int_equal(ingress(&c, true, 100, false), DROPPED(TAGGED_ON_ACCESS));
	assert_int_equal(ingress(&c, true, 200, false), DROPPED(TAGGED_ON_ACCESS));
	assert_int_equal(ingress(&c, true, 200, true), DROPPED(TAGGED_ON_ACCESS));
	assert_int_equal(ingress(&c, true, 4095, false), DROPPED(TAGGED_ON_ACCESS));
	/* a priority tag hiding a real tag is a VLAN hop attempt */
	assert_int_equal(ingress(&c, true, 0, true), DROPPED(STACKED_VLAN));
	assert_int_equal(ingress(&c, false, 7, false), 100);
}

static void test_native_ingress(void **state)
{
	static const char *const modes[] = { "native-tagged", "native-untagged" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct vlan_cfg c = parse_ok(modes[i], "5", "10,20");
		struct vlan_cfg all = parse_ok(modes[i], "5", NULL);

		assert_int_equal(ingress(&c, false, 0, false), 5);
		assert_int_equal(ingress(&c, true, 0, false), 5);
		assert_int_equal(ingress(&c, true, 5, false), 5); /* native, implicitly allowed */
		assert_int_equal(ingress(&c, true, 10, false), 10);
		assert_int_equal(ingress(&c, true, 20, true), 20);
		assert_int_equal(ingress(&c, true, 30, false), DROPPED(VLAN_NOT_ALLOWED));
		assert_int_equal(ingress(&c, true, 0, true), DROPPED(STACKED_VLAN));
		assert_int_equal(ingress(&all, true, 30, false), 30);
		assert_int_equal(ingress(&all, false, 0, false), 5);

		assert_true(vlan_member(&c, 5));
		assert_true(vlan_member(&c, 10));
		assert_false(vlan_member(&c, 0));
		assert_false(vlan_member(&c, 11));
		assert_true(vlan_member(&all, 0));
		assert_true(vlan_member(&all, 4095));
		assert_false(vlan_member(&all, 4096));
	}
}

static void test_access_member(void **state)
{
	struct vlan_cfg c = parse_ok("access", "100", "");

	(void)state;
	for (unsigned v = 0; v < 4097; v++)
		assert_int_equal(vlan_member(&c, (uint16_t)v), v == 100);
}

static void test_egress(void **state)
{
	struct vlan_cfg trunk = parse_ok("trunk", NULL, NULL);
	struct vlan_cfg access = parse_ok("access", "100", NULL);
	struct vlan_cfg ntag = parse_ok("native-tagged", "5", NULL);
	struct vlan_cfg nuntag = parse_ok("native-untagged", "5", NULL);

	(void)state;
	assert_false(vlan_egress_tagged(&trunk, 0));
	assert_true(vlan_egress_tagged(&trunk, 1));
	assert_true(vlan_egress_tagged(&trunk, 4095));

	assert_false(vlan_egress_tagged(&access, 100));

	assert_true(vlan_egress_tagged(&ntag, 5));
	assert_true(vlan_egress_tagged(&ntag, 10));
	assert_false(vlan_egress_tagged(&ntag, 0)); /* VLAN 0 is never tagged, as in OVS */

	assert_false(vlan_egress_tagged(&nuntag, 5));
	assert_true(vlan_egress_tagged(&nuntag, 10));
	assert_false(vlan_egress_tagged(&nuntag, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_small_err_buffer),
		cmocka_unit_test(test_trunk_ingress),
		cmocka_unit_test(test_access_ingress),
		cmocka_unit_test(test_native_ingress),
		cmocka_unit_test(test_access_member),
		cmocka_unit_test(test_egress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
