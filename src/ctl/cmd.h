/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd.h - the registry of control commands, "noun/verb" (port/add, fdb/show).
 *
 * The table (cmd_table.h) is shared by vnetd, which runs the commands, and
 * vnetctl, whose help comes from the same entries.
 */
#ifndef VNET_CMD_H
#define VNET_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

struct vnetd;

/**
 * struct cmd_reply - what a command produces
 * @result: JSON document for --json (the command sets it; NULL = {} )
 * @text:   human-readable output (open_memstream)
 * @err:    one-line error when the command fails
 */
struct cmd_reply {
	json_t *result;
	FILE *text;
	char err[256];
};

/**
 * struct cmd_def - one command
 * @name:     "noun/verb"
 * @usage:    arguments, e.g. "SWITCH PORT [key=value...]"
 * @help:     one line
 * @min_args/@max_args: argument count bounds (max -1: unbounded)
 * @mutates:  changes configuration (so it is persisted after success)
 * @fn:       handler. Return: 0, or -errno with r->err set
 */
struct cmd_def {
	const char *name;
	const char *usage;
	const char *help;
	int min_args;
	int max_args;
	bool mutates;
	int (*fn)(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
};

#endif /* VNET_CMD_H */
