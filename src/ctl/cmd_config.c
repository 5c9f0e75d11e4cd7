// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_config.c - config/show and config/reload. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "../base/log.h"
#include "cmd_table.h"
#include "config.h"
#include "vnetd.h"

int cmd_config_show(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	char *s;

	(void)argc;
	(void)argv;
	r->result = config_to_json(d);
	s = json_dumps(r->result, JSON_INDENT(2));
	if (!s)
		return cmd_error(r, ENOMEM, "config/show: out of memory");
	fprintf(r->text, "%s\n", s);
	free(s);
	return 0;
}

/*
 * The whole file is validated before anything changes, so a bad file leaves
 * the running state (and, since nothing is saved, the state file) as it was.
 */
int cmd_config_reload(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct config *c;
	unsigned failed;

	(void)argc;
	(void)argv;
	if (!d->config_file[0])
		return cmd_error(r, ENOENT, "config/reload: vnetd was started without --config");
	c = config_load(d->config_file, NULL, r->err, sizeof(r->err));
	if (!c) {
		warn("config/reload refused: %s", r->err);
		return -EINVAL;
	}
	failed = config_apply(d, c);
	info("config/reload: applied %s (%u switches, %u ports failed to open)", d->config_file,
	     c->n_switches, failed);
	r->result = json_pack("{s:s, s:i, s:i}", "file", d->config_file, "switches",
			      (int)c->n_switches, "ports_failed", (int)failed);
	if (failed)
		fprintf(r->text, "applied %s; %u ports failed to open (see port/list)\n",
			d->config_file, failed);
	config_free(c);
	return 0;
}
