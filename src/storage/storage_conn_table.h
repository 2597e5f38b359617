/*
 * storage_conn_table.h: the connections of active pools, one per pool,
 * shared by the calls that use it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A pool unit whose pools keep a connection to their storage while they
 * are active (rbd: a cluster, gluster: a volume, iscsi-direct: a login)
 * keeps them in a table of its own, keyed by the pool's UUID.  A
 * connection is a reference-counted object of the pool unit's own type,
 * which gives the table its @ref and @unref: the table holds one
 * reference, each call that took the connection with
 * virStorageConnTableGet one more, dropped with the pool unit's unref,
 * so that a call outlives a concurrent stop.  Every function may be
 * called from any thread, with or without the pool locked.
 */

#pragma once

#include "internal.h"

typedef struct _virStorageConnTable virStorageConnTable;
struct _virStorageConnTable {
    GMutex lock;                /* a static one needs no init */
    GHashTable *conns;          /* UUID string -> connection (the table's
                                 * reference), made on first use; under @lock */
    void (*ref)(void *conn);    /* takes a reference */
    void (*unref)(void *conn);  /* drops one; the last frees the connection */
};

/* The initializer of a pool unit's static table of connections. */
#define VIR_STORAGE_CONN_TABLE_INIT(refFunc, unrefFunc) \
    { .ref = (void (*)(void *)) (refFunc), .unref = (void (*)(void *)) (unrefFunc) }

/* The connection of the pool of @uuid with a reference for the caller,
 * or NULL (not reported) when it has none. */
void *
virStorageConnTableGet(virStorageConnTable *table,
                       const unsigned char *uuid);

/* Makes @conn (taking the caller's reference) the connection of the
 * pool of @uuid, or, @conn NULL, takes that pool's connection out of
 * the table; the table's reference to the one it had is dropped (calls
 * still using it finish first). */
void
virStorageConnTableSet(virStorageConnTable *table,
                       const unsigned char *uuid,
                       void *conn);
