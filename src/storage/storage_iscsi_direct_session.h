/*
 * storage_iscsi_direct_session.h: iSCSI sessions of libiscsi, every wait
 * bounded
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#include "internal.h"

/* Connecting to the portal and logging in, together. */
#define VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS 10
/* One SCSI command (a WRITE SAME or UNMAP range is cut to fit). */
#define VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS 30
/* Logging out; the connection is closed after it anyway. */
#define VIR_STORAGE_ISCSI_DIRECT_LOGOUT_SECONDS 3

/* Where and as whom a session logs in.  @target NULL: a discovery
 * session.  @user NULL: no CHAP. */
typedef struct _virStorageISCSIDirectLogin virStorageISCSIDirectLogin;
struct _virStorageISCSIDirectLogin {
    char *pool;         /* the pool's name, for messages */
    char *portal;       /* "HOST:PORT" or "[V6ADDR]:PORT" */
    char *target;
    char *initiator;
    char *user;
    char *password;
};

virStorageISCSIDirectLogin *
virStorageISCSIDirectLoginCopy(const virStorageISCSIDirectLogin *login);

/* Erases the password; NULL is fine. */
void
virStorageISCSIDirectLoginFree(virStorageISCSIDirectLogin *login);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageISCSIDirectLogin, virStorageISCSIDirectLoginFree);

/* "HOST:PORT" of a pool's host (port 0: 3260), IPv6 addresses in
 * brackets. */
char *
virStorageISCSIDirectPortal(const char *host,
                            int port);

/* A logged-in session.  One thread at a time. */
typedef struct _virStorageISCSIDirectSession virStorageISCSIDirectSession;

/* Connects and logs in within VIR_STORAGE_ISCSI_DIRECT_LOGIN_SECONDS;
 * reports (naming the portal, the target, and what to check) and
 * returns NULL on failure, nothing left open. */
virStorageISCSIDirectSession *
virStorageISCSIDirectSessionOpen(const virStorageISCSIDirectLogin *login);

/* Logs out (bounded) and closes; NULL is fine.  Never reports. */
void
virStorageISCSIDirectSessionClose(virStorageISCSIDirectSession *sess);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageISCSIDirectSession, virStorageISCSIDirectSessionClose);

const virStorageISCSIDirectLogin *
virStorageISCSIDirectSessionLogin(virStorageISCSIDirectSession *sess);

/* Is the session still usable (no command timed out, the connection
 * did not drop)? */
bool
virStorageISCSIDirectSessionAlive(virStorageISCSIDirectSession *sess);

/* The context, to queue commands with iscsi_*_task(..., cb, data) using
 * virStorageISCSIDirectSessionDone as cb and a
 * virStorageISCSIDirectWait as data. */
struct iscsi_context *
virStorageISCSIDirectSessionContext(virStorageISCSIDirectSession *sess);

typedef struct _virStorageISCSIDirectWait virStorageISCSIDirectWait;
struct _virStorageISCSIDirectWait {
    bool done;
    int status;
    void *data;          /* the command's: a struct scsi_task *... */
};

void
virStorageISCSIDirectSessionDone(struct iscsi_context *iscsi,
                                 int status,
                                 void *command_data,
                                 void *opaque);

/* Serves the session until @w is done or @seconds have passed.
 * Returns 0 when done, -ETIMEDOUT or -EIO (the connection failed; the
 * session is then dead and closed underneath: every later call fails). */
int
virStorageISCSIDirectSessionRun(virStorageISCSIDirectSession *sess,
                                virStorageISCSIDirectWait *w,
                                int seconds);

/* Serves the session until @count of @waits are done (in any order) or
 * @seconds have passed; 0, -ETIMEDOUT or -EIO as above. */
int
virStorageISCSIDirectSessionRunMany(virStorageISCSIDirectSession *sess,
                                    size_t *pending,
                                    size_t upto,
                                    int seconds);

/* The last error libiscsi gave for the session ("" if none). */
const char *
virStorageISCSIDirectSessionError(virStorageISCSIDirectSession *sess);

/* Target names a sendtargets discovery at @login->portal gives, NULL
 * terminated; reports and returns NULL on failure. */
char **
virStorageISCSIDirectDiscover(const virStorageISCSIDirectLogin *login);
