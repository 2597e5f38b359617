/*
 * storageconntabletest.c: the table of the connections of active pools
 * (src/storage/storage_conn_table.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A connection of the tests counts how often it was freed: each pool has
 * its own, a call's reference keeps a connection alive after its pool
 * stopped, a restart replaces it, and the last reference frees it once.
 */

#include <config.h>

#include <glib.h>

#include "storage_conn_table.h"
#include "lvsbtestutils.h"

typedef struct {
    gint refs;
    int id;
    int *freed;           /* incremented when it is freed */
} testConn;


static void
testConnRef(testConn *conn)
{
    g_atomic_int_inc(&conn->refs);
}


static void
testConnPut(testConn *conn)
{
    if (conn && g_atomic_int_dec_and_test(&conn->refs)) {
        (*conn->freed)++;
        g_free(conn);
    }
}


static testConn *
testConnNew(int id,
            int *freed)
{
    testConn *conn = g_new0(testConn, 1);

    conn->refs = 1;
    conn->id = id;
    conn->freed = freed;
    return conn;
}


static void
testConnTable(const void *opaque G_GNUC_UNUSED)
{
    virStorageConnTable table = VIR_STORAGE_CONN_TABLE_INIT(testConnRef, testConnPut);
    const unsigned char uuidA[VIR_UUID_BUFLEN] = { 1 };
    const unsigned char uuidB[VIR_UUID_BUFLEN] = { 2 };
    int freedA1 = 0;
    int freedA2 = 0;
    int freedB = 0;
    testConn *held;
    testConn *got;

    /* no connection yet, and after a stop of a pool that had none */
    g_assert_null(virStorageConnTableGet(&table, uuidA));
    virStorageConnTableSet(&table, uuidA, NULL);
    g_assert_null(virStorageConnTableGet(&table, uuidA));

    /* each pool its own */
    virStorageConnTableSet(&table, uuidA, testConnNew(1, &freedA1));
    virStorageConnTableSet(&table, uuidB, testConnNew(2, &freedB));
    held = virStorageConnTableGet(&table, uuidA);
    g_assert_nonnull(held);
    g_assert_cmpint(held->id, ==, 1);
    got = virStorageConnTableGet(&table, uuidB);
    g_assert_cmpint(got->id, ==, 2);
    testConnPut(got);
    g_assert_cmpint(freedB, ==, 0);

    /* a stop while a call holds the connection: freed at its Put */
    virStorageConnTableSet(&table, uuidA, NULL);
    g_assert_null(virStorageConnTableGet(&table, uuidA));
    g_assert_cmpint(freedA1, ==, 0);
    g_assert_cmpint(held->id, ==, 1);
    testConnPut(held);
    g_assert_cmpint(freedA1, ==, 1);

    /* a new connection replaces the old one, which is freed */
    virStorageConnTableSet(&table, uuidA, testConnNew(3, &freedA2));
    virStorageConnTableSet(&table, uuidA, testConnNew(4, &freedA2));
    g_assert_cmpint(freedA2, ==, 1);
    got = virStorageConnTableGet(&table, uuidA);
    g_assert_cmpint(got->id, ==, 4);
    testConnPut(got);
    
    virStorageConnTableSet(&table, uuidA, NULL);
    virStorageConnTableSet(&table, uuidB, NULL);
    g_assert_cmpint(freedA1, ==, 1);
    g_assert_cmpint(freedA2, ==, 2);
    g_assert_cmpint(freedB, ==, 1);
    g_hash_table_unref(table.conns);
}


int
main(int argc,
     char **argv)
{
    lvsbTestInit(&argc, &argv);

    g_test_add_data_func("/conntable/refs", NULL, testConnTable);

    return lvsbTestRun();
}
