/*
 * storagescsivhbatest.c: the NPIV vHBA of an fc_host adapter, made and
 * removed through a fixture sysfs tree (src/storage/storage_scsi_vhba.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A copy of storagescsihostdata/sys: host1 (fc_host, link down), host5
 * (fc_host online, vport capable) and host6 (a vHBA on host5).  Where the
 * kernel would add the new vHBA after "WWPN:WWNN" is written to
 * vport_create, a thread of the test adds it to the tree; where it
 * would not (the fabric refused it), nothing appears and the vport must
 * be deleted again.
 */

#include <config.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "storage_scsi_vhba.h"
#include "lvsbtestutils.h"
#include "virerror.h"

static char *copydir;
/* no block device there: a LUN is in use only by what sysfs says */
static char *devdir;

#define HOST5 "devices/pci0000:00/0000:00:06.0/host5"
#define HOST1 "devices/pci0000:00/0000:00:03.0/host1"
#define NEW_WWNN "5001a4ace3ee047d"
#define NEW_WWPN "5001a4a9c3d2f0a1"
#define HOST6_WWNN "5001a4aaf3ca174b"
#define HOST6_WWPN "5001a4a28b6bcfbc"


static char *
testRead(const char *relpath)
{
    g_autofree char *path = g_build_filename(copydir, relpath, NULL);
    char *content = NULL;

    g_assert_true(g_file_get_contents(path, &content, NULL, NULL));
    return content;
}


static void
testWrite(const char *relpath,
          const char *content)
{
    g_autofree char *path = g_build_filename(copydir, relpath, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(path, content, -1, NULL));
}


static void
testLink(const char *target,
         const char *relpath)
{
    g_autofree char *path = g_build_filename(copydir, relpath, NULL);

    g_unlink(path);
    g_assert_cmpint(symlink(target, path), ==, 0);
}


static void
testRemoveTree(const char *relpath)
{
    g_autofree char *path = g_build_filename(copydir, relpath, NULL);
    const char *argv[] = { "rm", "-rf", "--", path, NULL };
    int status = -1;

    g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_cmpint(status, ==, 0);
}


static void
testResetVports(void)
{
    testWrite(HOST5 "/fc_host/host5/vport_create", "");
    testWrite(HOST5 "/fc_host/host5/vport_delete", "");
    testWrite(HOST1 "/fc_host/host1/vport_create", "");
    testWrite(HOST1 "/fc_host/host1/vport_delete", "");
}


static void
testExpectVportFile(const char *relpath,
                    const char *expect)
{
    g_autofree char *content = testRead(relpath);

    g_assert_cmpstr(content, ==, expect);
}


static virStorageAdapterFCHost
testAdapter(const char *wwnn,
            const char *wwpn,
            const char *parent)
{
    virStorageAdapterFCHost fchost = {
        .wwnn = (char *) wwnn,
        .wwpn = (char *) wwpn,
        .parent = (char *) parent,
    };

    return fchost;
}


/* What the kernel does on a vport_create the fabric accepts: host7
 * appears below host5, as vport-5:0-1. */
static gpointer
testKernelThread(gpointer opaque G_GNUC_UNUSED)
{
    g_autofree char *create = g_build_filename(copydir, HOST5 "/fc_host/host5/vport_create", NULL);
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < deadline) {
        g_autofree char *content = NULL;

        if (g_file_get_contents(create, &content, NULL, NULL) &&
            g_str_equal(content, NEW_WWPN ":" NEW_WWNN)) {
            testWrite(HOST5 "/vport-5:0-1/host7/fc_host/host7/node_name", "0x" NEW_WWNN "\n");
            testWrite(HOST5 "/vport-5:0-1/host7/fc_host/host7/port_name", "0x" NEW_WWPN "\n");
            testWrite(HOST5 "/vport-5:0-1/host7/scsi_host/host7/scan", "");
            testLink("../../" HOST5 "/vport-5:0-1/host7/scsi_host/host7",
                     "class/scsi_host/host7");
            testLink("../../" HOST5 "/vport-5:0-1/host7/fc_host/host7",
                     "class/fc_host/host7");
            return NULL;
        }
        g_usleep(10 * 1000);
    }
    return NULL;
}


static void
testRemoveHost7(void)
{
    g_autofree char *a = g_build_filename(copydir, "class/fc_host/host7", NULL);
    g_autofree char *b = g_build_filename(copydir, "class/scsi_host/host7", NULL);

    g_unlink(a);
    g_unlink(b);
}


static void
testExisting(const void *opaque G_GNUC_UNUSED)
{
    virStorageAdapterFCHost fchost = testAdapter(HOST6_WWNN, HOST6_WWPN, NULL);
    unsigned int host = 0;
    bool created = true;

    testResetVports();
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 200, &host, &created), ==, 0);
    g_assert_cmpuint(host, ==, 6);
    g_assert_false(created);

    fchost.parent = (char *) "host5";
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 200, &host, &created), ==, 0);
    g_assert_cmpuint(host, ==, 6);

    /* the vHBA exists, but on another parent than the adapter names */
    fchost.parent = (char *) "host1";
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 200, &host, &created), ==, -1);
    lvsbTestExpectError("wrong parent", VIR_ERR_CONFIG_UNSUPPORTED, "not on the parent host1");

    /* the names of an HBA */
    fchost = testAdapter("2000001b32a9da4e", "2100001b32a9da4e", NULL);
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 200, &host, &created), ==, -1);
    lvsbTestExpectError("an HBA", VIR_ERR_CONFIG_UNSUPPORTED, "an HBA, not a vHBA");

    testExpectVportFile(HOST5 "/fc_host/host5/vport_create", "");
    testExpectVportFile(HOST1 "/fc_host/host1/vport_create", "");
}


static void
testCreated(const void *opaque G_GNUC_UNUSED)
{
    virStorageAdapterFCHost fchost = testAdapter(NEW_WWNN, NEW_WWPN, "host5");
    g_autoptr(GThread) kernel = NULL;
    unsigned int host = 0;
    bool created = false;

    testResetVports();
    kernel = g_thread_new("kernel", testKernelThread, NULL);
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 5000, &host, &created), ==, 0);
    g_thread_join(g_steal_pointer(&kernel));
    g_assert_cmpuint(host, ==, 7);
    g_assert_true(created);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_create", NEW_WWPN ":" NEW_WWNN);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", "");

    /* stop: deleted through its parent */
    g_assert_cmpint(virStorageSCSIVHBADelete(copydir, devdir, "p", &fchost), ==, 0);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", NEW_WWPN ":" NEW_WWNN);
    testRemoveHost7();
}


static void
testNeverAppears(const void *opaque G_GNUC_UNUSED)
{
    virStorageAdapterFCHost fchost = testAdapter(NEW_WWNN, NEW_WWPN, "host5");
    unsigned int host = 0;
    bool created = false;
    gint64 start;

    testResetVports();
    start = g_get_monotonic_time();
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 300, &host, &created), ==, -1);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 3 * G_USEC_PER_SEC);
    lvsbTestExpectError("never appears", VIR_ERR_OPERATION_TIMEOUT, "did not appear on host5");
    /* made, then deleted again: nothing left behind */
    testExpectVportFile(HOST5 "/fc_host/host5/vport_create", NEW_WWPN ":" NEW_WWNN);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", NEW_WWPN ":" NEW_WWNN);
}


static void
testParentChoice(const void *opaque G_GNUC_UNUSED)
{
    virStorageAdapterFCHost fchost = testAdapter(NEW_WWNN, NEW_WWPN, NULL);
    unsigned int host = 0;
    bool created = false;

    /* no parent named: the online fc_host with room, not host1 (link down) */
    testResetVports();
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 100, &host, &created), ==, -1);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_create", NEW_WWPN ":" NEW_WWNN);
    testExpectVportFile(HOST1 "/fc_host/host1/vport_create", "");

    /* by the parent's world wide names */
    testResetVports();
    fchost.parent_wwnn = (char *) "2000001b32a9da4e";
    fchost.parent_wwpn = (char *) "2100001b32a9da4e";
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 100, &host, &created), ==, -1);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_create", NEW_WWPN ":" NEW_WWNN);
    fchost.parent_wwnn = NULL;
    fchost.parent_wwpn = NULL;

    /* by the fabric: host1 is the first on it */
    testResetVports();
    fchost.parent_fabric_wwn = (char *) "2001000dec9877c1";
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 100, &host, &created), ==, -1);
    testExpectVportFile(HOST1 "/fc_host/host1/vport_create", NEW_WWPN ":" NEW_WWNN);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_create", "");
}


static void
testBadParent(const void *opaque G_GNUC_UNUSED)
{
    virStorageAdapterFCHost fchost = testAdapter(NEW_WWNN, NEW_WWPN, "host2");
    unsigned int host = 0;
    bool created = false;

    testResetVports();
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 100, &host, &created), ==, -1);
    lvsbTestExpectError("not vport capable", VIR_ERR_CONFIG_UNSUPPORTED, "cannot create vHBAs");

    fchost.parent = (char *) "host99";
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 100, &host, &created), ==, -1);
    lvsbTestExpectError("no such parent", VIR_ERR_INVALID_ARG, "does not exist");

    fchost.parent = (char *) "sda";
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 100, &host, &created), ==, -1);
    lvsbTestExpectError("not a host name", VIR_ERR_CONFIG_UNSUPPORTED, "'sda'");

    fchost.parent = NULL;
    fchost.parent_wwnn = (char *) "2000001b32a9da4f";
    fchost.parent_wwpn = (char *) "2100001b32a9da4e";
    g_assert_cmpint(virStorageSCSIVHBAGet(copydir, "p", &fchost, 100, &host, &created), ==, -1);
    lvsbTestExpectError("wrong parent wwnn", VIR_ERR_INVALID_ARG, "2000001b32a9da4f");

    testExpectVportFile(HOST5 "/fc_host/host5/vport_create", "");
    testExpectVportFile(HOST1 "/fc_host/host1/vport_create", "");
}


static void
testDelete(const void *opaque G_GNUC_UNUSED)
{
    virStorageAdapterFCHost fchost = testAdapter(HOST6_WWNN, HOST6_WWPN, NULL);

    testResetVports();
    g_assert_cmpint(virStorageSCSIVHBADelete(copydir, devdir, "p", &fchost), ==, 0);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", HOST6_WWPN ":" HOST6_WWNN);

    /* one of its LUNs is held by a device-mapper device: refused, and
     * nothing written; deleted once it is no longer held */
    testResetVports();
    testWrite("bus/scsi/devices/6:0:0:3/type", "0\n");
    testWrite("bus/scsi/devices/6:0:0:3/block/sdq/size", "2048\n");
    testWrite("class/block/sdq/holders/dm-2/dev", "254:2\n");
    fchost = testAdapter(HOST6_WWNN, HOST6_WWPN, NULL);
    g_assert_cmpint(virStorageSCSIVHBADelete(copydir, devdir, "p", &fchost), ==, -1);
    lvsbTestExpectError("LUN held", VIR_ERR_OPERATION_INVALID,
                        "its LUN 6:0:0:3 (");
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", "");
    testRemoveTree("class/block/sdq");
    g_assert_cmpint(virStorageSCSIVHBADelete(copydir, devdir, "p", &fchost), ==, 0);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", HOST6_WWPN ":" HOST6_WWNN);
    testRemoveTree("bus/scsi/devices/6:0:0:3");

    /* gone already: nothing to do */
    testResetVports();
    fchost = testAdapter(NEW_WWNN, NEW_WWPN, NULL);
    g_assert_cmpint(virStorageSCSIVHBADelete(copydir, devdir, "p", &fchost), ==, 0);
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", "");

    /* an HBA is never deleted */
    fchost = testAdapter("2000001b32a9da4e", "2100001b32a9da4e", NULL);
    g_assert_cmpint(virStorageSCSIVHBADelete(copydir, devdir, "p", &fchost), ==, -1);
    lvsbTestExpectError("delete an HBA", VIR_ERR_OPERATION_INVALID, "is an HBA");
    testExpectVportFile(HOST5 "/fc_host/host5/vport_delete", "");
}


static void
testCopyFixture(void)
{
    g_autofree char *tmp = g_dir_make_tmp("scsivhbatest-XXXXXX", NULL);
    g_autofree char *fixture = lvsbTestDataPath("sys", "");
    const char *argv[] = { "cp", "-a", "--", fixture, NULL, NULL };
    int status = -1;

    g_assert_nonnull(tmp);
    copydir = g_build_filename(tmp, "sys", NULL);
    devdir = g_build_filename(tmp, "dev", NULL);
    argv[4] = copydir;
    g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, NULL, NULL, &status, NULL));
    g_assert_cmpint(status, ==, 0);
}


static void
testRemoveCopy(void)
{
    g_autofree char *tmp = g_path_get_dirname(copydir);
    const char *argv[] = { "rm", "-rf", "--", tmp, NULL };

    g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH,
                 NULL, NULL, NULL, NULL, NULL, NULL);
}


int
main(int argc, char **argv)
{
    int ret;

    lvsbTestInit(&argc, &argv);
    lvsbTestSetDataDir("storagescsihostdata");
    testCopyFixture();

    g_test_add_data_func("/scsivhba/existing", NULL, testExisting);
    g_test_add_data_func("/scsivhba/created-and-deleted", NULL, testCreated);
    g_test_add_data_func("/scsivhba/never-appears", NULL, testNeverAppears);
    g_test_add_data_func("/scsivhba/parent-choice", NULL, testParentChoice);
    g_test_add_data_func("/scsivhba/bad-parent", NULL, testBadParent);
    g_test_add_data_func("/scsivhba/delete", NULL, testDelete);

    ret = lvsbTestRun();
    testRemoveCopy();
    return ret;
}
