/* SPDX-License-Identifier: EUPL-1.2 */
/*
 * sdnotify.h - tell systemd how the daemon is doing (sd_notify(3) protocol).
 *
 * Under `Type=notify` systemd passes a socket in $NOTIFY_SOCKET and waits
 * for "READY=1" before it counts the service as started; "RELOADING=1" and
 * "STOPPING=1" mark a reload (SIGHUP) and a shutdown.  The protocol is one
 * datagram of newline-separated KEY=VALUE lines to that AF_UNIX socket (a
 * leading '@' names the abstract namespace), so it is written here in a few
 * lines instead of linking libsystemd for one function: one dependency
 * fewer, and the same behaviour outside systemd (no variable: nothing is
 * sent).
 */
#ifndef MP_SDNOTIFY_H
#define MP_SDNOTIFY_H

/* Sends state to $NOTIFY_SOCKET.  Returns 1 when sent, 0 when there is no
 * socket to send to, -1 when sending failed (errno set). */
int sd_notify_send(const char *state);

#endif
