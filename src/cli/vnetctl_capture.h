/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetctl_capture.h - "vnetctl capture": a port's frames from vnetd as pcap. */
#ifndef VNET_VNETCTL_CAPTURE_H
#define VNET_VNETCTL_CAPTURE_H

/**
 * vnetctl_capture() - run "vnetctl capture SWITCH PORT [options]"
 * @sock:      vnetd's control socket
 * @timeout_s: how long to wait for vnetd's reply to the request (0: forever)
 * @argc/@argv: the arguments after "capture"
 * Return: exit status (0 done, 1 failed, 2 usage, 3 vnetd unreachable), as vnetctl's.
 */
int vnetctl_capture(const char *sock, unsigned timeout_s, int argc, char **argv);

#endif /* VNET_VNETCTL_CAPTURE_H */
