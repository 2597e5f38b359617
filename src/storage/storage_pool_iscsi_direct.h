/*
 * storage_pool_iscsi_direct.h: iscsi-direct pools, one iSCSI session
 * per active pool, through libiscsi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "internal.h"
#include "virstorageobj.h"
#include "storage_iscsi_direct_session.h"

/*
 * What an active pool keeps from its start to its stop: its login (the
 * portal, target and initiator of its XML and the CHAP credentials read
 * from the secret driver at start) and a session logged in with it, used
 * by refreshes.  Ref-counted, like the connections of rbd pools: Get
 * gives a reference that keeps the login usable until Put, even if the
 * pool is stopped meanwhile.
 */
typedef struct _virStoragePoolISCSIDirectConn virStoragePoolISCSIDirectConn;

/* Reports VIR_ERR_OPERATION_INVALID and returns NULL when @pool is not
 * active. */
virStoragePoolISCSIDirectConn *
virStoragePoolISCSIDirectConnGet(virStoragePoolObj *pool);

const virStorageISCSIDirectLogin *
virStoragePoolISCSIDirectConnLogin(virStoragePoolISCSIDirectConn *conn);

void
virStoragePoolISCSIDirectConnPut(virStoragePoolISCSIDirectConn *conn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePoolISCSIDirectConn, virStoragePoolISCSIDirectConnPut);

int
virStoragePoolISCSIDirectCheck(virStoragePoolObj *pool,
                               bool *active);

int
virStoragePoolISCSIDirectStart(virStoragePoolObj *pool);

int
virStoragePoolISCSIDirectStop(virStoragePoolObj *pool);

int
virStoragePoolISCSIDirectRefresh(virStoragePoolObj *pool);

char *
virStoragePoolISCSIDirectFindSources(const char *srcSpec,
                                     unsigned int flags);
