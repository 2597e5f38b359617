/*
 * storage_conn_table.c: the connections of active pools, one per pool,
 * shared by the calls that use it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_conn_table.h"
#include "viruuid.h"


void *
virStorageConnTableGet(virStorageConnTable *table,
                       const unsigned char *uuid)
{
    char key[VIR_UUID_STRING_BUFLEN];
    void *conn = NULL;

    virUUIDFormat(uuid, key);

    g_mutex_lock(&table->lock);
    if (table->conns && (conn = g_hash_table_lookup(table->conns, key)))
        table->ref(conn);
    g_mutex_unlock(&table->lock);

    return conn;
}


void
virStorageConnTableSet(virStorageConnTable *table,
                       const unsigned char *uuid,
                       void *conn)
{
    char key[VIR_UUID_STRING_BUFLEN];
    void *old = NULL;

    virUUIDFormat(uuid, key);

    g_mutex_lock(&table->lock);
    if (!table->conns)
        table->conns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    old = g_hash_table_lookup(table->conns, key);
    if (conn)
        g_hash_table_replace(table->conns, g_strdup(key), conn);
    else
        g_hash_table_remove(table->conns, key);
    g_mutex_unlock(&table->lock);

    if (old)
        table->unref(old);
}

