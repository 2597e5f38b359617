/*
 * storage_iscsi_session.h: iSCSI sessions of the kernel initiator,
 * driven through iscsiadm and read from sysfs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pool logs in through an iscsiadm interface record and a node record
 * of its own (never the administrator's 'default' records), made at
 * start and removed at stop or when the start fails.  Every iscsiadm
 * call has a time limit; only exit codes and the record lines of
 * discovery are read, never iscsiadm's messages.  Every function taking
 * @sysfs reads the tree under it ("/sys" in the daemon).
 */

#pragma once

#include "internal.h"

#define VIR_STORAGE_ISCSI_DEFAULT_PORT 3260

/* What a pool logs in to, and how. */
typedef struct _virStorageISCSINode virStorageISCSINode;
struct _virStorageISCSINode {
    char *portal;      /* "HOST:PORT" or "[IPV6]:PORT" */
    char *target;      /* the target's IQN */
    char *iface;       /* our interface record's name */
    char *initiator;   /* the initiator IQN to log in as, NULL: the system's */
    char *chapUser;    /* NULL: no CHAP */
    char *chapSecret;  /* erased when the node is freed */
};

void
virStorageISCSINodeFree(virStorageISCSINode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageISCSINode, virStorageISCSINodeFree);

/*
 * Whether @name is an iSCSI name iscsiadm may be given: "iqn.", "eui."
 * or "naa." and then only letters, digits, '.', '-' and ':', at most 223
 * bytes.  @what says which name it is in the error (VIR_ERR_INVALID_ARG):
 * "source device" or "initiator".
 */
int
virStorageISCSIValidateName(const char *name,
                            const char *what);

/*
 * "HOST:PORT" ("[HOST]:PORT" for an IPv6 address) for @host and @port
 * (0: 3260), after checking that @host is a host name or an address
 * (letters, digits, '.', '-', ':', '_'; not starting with '-').
 * Reports VIR_ERR_INVALID_ARG and returns NULL otherwise.
 */
char *
virStorageISCSIPortal(const char *host,
                      int port);

/*
 * Whether CHAP user name or secret @value may go into a node record
 * (whose lines it must not break): printable, no newline, 1-255 bytes.
 * Reports VIR_ERR_CONFIG_UNSUPPORTED naming @what otherwise.
 */
int
virStorageISCSIValidateChap(const char *value,
                            const char *what);

/*
 * The target IQNs of sendtargets discovery output @out (lines
 * "PORTAL,TPGT IQN", as iscsiadm prints its records), in order, each
 * once; lines that are not records are skipped.  Returns the number of
 * targets and sets @targets (NULL-terminated).  Never fails.
 */
size_t
virStorageISCSIParseSendTargets(const char *out,
                                char ***targets);

/*
 * Sendtargets discovery at @portal, storing nothing (no node records):
 * sets @targets (NULL-terminated) and returns their number, or reports
 * (naming @portal) and returns -1.  A portal that does not answer fails
 * within the discovery's time limit.
 */
int
virStorageISCSIDiscover(const char *portal,
                        char ***targets);

/*
 * Creates @node's interface and node records (the initiator IQN, manual
 * startup, bounded login and replacement time-outs, CHAP if @node has a
 * user) and logs in.  On failure it leaves nothing behind: no session,
 * no node or interface record; the error names @poolname and the portal
 * and says what the initiator or target refused.
 */
int
virStorageISCSILogin(const char *poolname,
                     virStorageISCSINode *node);

/*
 * Logs out of @node's session (if any) and removes its node and
 * interface records.  Reports and returns -1 when the logout fails.
 */
int
virStorageISCSILogout(const char *poolname,
                      virStorageISCSINode *node);

/*
 * The session to @node's target through @node's interface: 1 and its
 * number in @session, 0 when there is none.  Never fails: an unreadable
 * entry is no session of ours.
 */
int
virStorageISCSISessionFind(const char *sysfs,
                           virStorageISCSINode *node,
                           unsigned int *session);

/* The SCSI host of session @session: 0, or -errno. */
int
virStorageISCSISessionHostQuiet(const char *sysfs,
                                unsigned int session,
                                unsigned int *host);

/* Asks the kernel to scan every channel, target and LUN of SCSI host
 * @host: 0, or -errno. */
int
virStorageISCSIHostScanQuiet(const char *sysfs,
                             unsigned int host);

/*
 * Waits at most @seconds until every LUN of type disk of SCSI host @host
 * has its block device (the kernel probes disks asynchronously after a
 * scan).  Returns the number of disks still without one (0: all there).
 */
size_t
virStorageISCSIHostWaitDisks(const char *sysfs,
                             unsigned int host,
                             unsigned int seconds);
