/*
 * storagescsihosttest.c: SCSI hosts and LUNs read from a sysfs tree
 * (src/storage/storage_scsi_host.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * storagescsihostdata/sys is a fixture tree laid out as the kernel lays
 * out sysfs (class/ links to devices/, bus/scsi/devices/ links to the
 * LUNs), as libvirt's own tests do for its node device code: SCSI hosts
 * on PCI functions with unique ids, LUNs of several types with and
 * without block devices, fc_hosts online and offline and a vHBA created
 * on one.  Tests that write (scan, vport_create, vport_delete) work on a
 * copy of it.
 */

#include <config.h>

#include <glib.h>

#include "storage_scsi_host.h"
#include "lvsbtestutils.h"

static char *fixture;   /* storagescsihostdata/sys, read only */
static char *copydir;   /* a copy of it, written by the tests */


static char *
testReadCopy(const char *relpath)
{
    g_autofree char *path = g_build_filename(copydir, relpath, NULL);
    char *content = NULL;

    g_assert_true(g_file_get_contents(path, &content, NULL, NULL));
    return content;
}


static void
testWriteCopy(const char *relpath,
              const char *content)
{
    g_autofree char *path = g_build_filename(copydir, relpath, NULL);

    g_assert_true(g_file_set_contents(path, content, -1, NULL));
}


static void
testHostNumber(const void *opaque G_GNUC_UNUSED)
{
    unsigned int host = 99;

    g_assert_cmpint(virStorageSCSIHostNumberQuiet("host2", &host), ==, 0);
    g_assert_cmpuint(host, ==, 2);
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("scsi_host17", &host), ==, 0);
    g_assert_cmpuint(host, ==, 17);

    host = 99;
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("host", &host), ==, -EINVAL);
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("hostx", &host), ==, -EINVAL);
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("host2x", &host), ==, -EINVAL);
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("host-1", &host), ==, -EINVAL);
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("host 2", &host), ==, -EINVAL);
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("sda", &host), ==, -EINVAL);
    g_assert_cmpint(virStorageSCSIHostNumberQuiet("", &host), ==, -EINVAL);
    g_assert_cmpuint(host, ==, 99);
}


static void
testHostExists(const void *opaque G_GNUC_UNUSED)
{
    g_assert_true(virStorageSCSIHostExists(fixture, 2));
    g_assert_true(virStorageSCSIHostExists(fixture, 6));
    g_assert_false(virStorageSCSIHostExists(fixture, 9));
    g_assert_false(virStorageSCSIHostExists("/nonexistent-sysfs", 2));
}


typedef struct {
    unsigned int domain, bus, slot, function, uniqueId;
    int rc;
    unsigned int host;
} testParentCase;

static const testParentCase parentCases[] = {
    { 0, 0, 4, 0, 1, 0, 2 },
    { 0, 0, 4, 0, 2, 0, 4 },        /* same function, other unique_id */
    { 0, 0, 5, 0, 1, 0, 3 },        /* same unique_id, other function */
    { 0, 0, 4, 0, 3, -ENOENT, 0 },
    { 0, 0, 4, 1, 1, -ENOENT, 0 },  /* 0000:00:04.1 is not 0000:00:04.0 */
    { 0, 0, 0x40, 0, 1, -ENOENT, 0 },
    { 1, 0, 4, 0, 1, -ENOENT, 0 },
};


static void
testHostByParentaddr(const void *opaque)
{
    const testParentCase *c = opaque;
    virPCIDeviceAddress addr = { .domain = c->domain, .bus = c->bus,
                                 .slot = c->slot, .function = c->function };
    unsigned int host = 99;

    g_assert_cmpint(virStorageSCSIHostByParentaddrQuiet(fixture, &addr, c->uniqueId,
                                                        &host), ==, c->rc);
    g_assert_cmpuint(host, ==, c->rc == 0 ? c->host : 99);
}


static void
testHostByParentaddrNoSysfs(const void *opaque G_GNUC_UNUSED)
{
    virPCIDeviceAddress addr = { .slot = 4 };
    unsigned int host;

    g_assert_cmpint(virStorageSCSIHostByParentaddrQuiet("/nonexistent-sysfs", &addr,
                                                        1, &host), ==, -ENOENT);
}


static void
testLunsOfHost(const void *opaque G_GNUC_UNUSED)
{
    struct {
        unsigned int bus, target, lun;
        int type;
        const char *block;
    } expect[] = {
        { 0, 0, 0, 0, "sda" },
        { 0, 0, 1, 5, "sr0" },
        { 0, 0, 2, 13, NULL },          /* an enclosure: no block device */
        { 0, 0, 10, 0, "sdc" },         /* numbers sorted, not names */
        { 0, 1, 0, 0, NULL },           /* a disk without its block device yet */
        { 0, 2, 0, 0, "sdd" },          /* an old kernel's block:NAME */
        { 1, 0, 0, 0, "cciss!c0d0" },
    };
    g_autoptr(GPtrArray) luns = NULL;
    size_t i;

    g_assert_cmpint(virStorageSCSIHostLunsQuiet(fixture, 2, &luns), ==, 0);
    g_assert_cmpuint(luns->len, ==, G_N_ELEMENTS(expect));
    for (i = 0; i < luns->len; i++) {
        virStorageSCSILun *lun = g_ptr_array_index(luns, i);

        g_assert_cmpuint(lun->host, ==, 2);
        g_assert_cmpuint(lun->bus, ==, expect[i].bus);
        g_assert_cmpuint(lun->target, ==, expect[i].target);
        g_assert_cmpuint(lun->lun, ==, expect[i].lun);
        g_assert_cmpint(lun->type, ==, expect[i].type);
        g_assert_cmpstr(lun->block, ==, expect[i].block);
    }
    g_clear_pointer(&luns, g_ptr_array_unref);

    /* host3 has one LUN; host4 none; a missing host none */
    g_assert_cmpint(virStorageSCSIHostLunsQuiet(fixture, 3, &luns), ==, 0);
    g_assert_cmpuint(luns->len, ==, 1);
    g_assert_cmpstr(((virStorageSCSILun *) g_ptr_array_index(luns, 0))->block, ==, "sde");
    g_clear_pointer(&luns, g_ptr_array_unref);
    g_assert_cmpint(virStorageSCSIHostLunsQuiet(fixture, 4, &luns), ==, 0);
    g_assert_cmpuint(luns->len, ==, 0);
    g_clear_pointer(&luns, g_ptr_array_unref);

    g_assert_cmpint(virStorageSCSIHostLunsQuiet("/nonexistent-sysfs", 2, &luns),
                    ==, -ENOENT);
    g_assert_null(luns);
}


static void
testScan(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *written = NULL;

    g_assert_cmpint(virStorageSCSIHostScanQuiet(copydir, 2), ==, 0);
    written = testReadCopy("devices/pci0000:00/0000:00:04.0/virtio1/host2/scsi_host/host2/scan");
    g_assert_cmpstr(written, ==, "- - -");
    g_assert_cmpint(virStorageSCSIHostScanQuiet(copydir, 9), ==, -ENOENT);
}


static void
testWWNEqual(const void *opaque G_GNUC_UNUSED)
{
    g_assert_true(virStorageSCSIWWNEqual("0x2000001b32a9da4e", "2000001b32a9da4e"));
    g_assert_true(virStorageSCSIWWNEqual("2000001B32A9DA4E", "0x2000001b32a9da4e"));
    g_assert_false(virStorageSCSIWWNEqual("2000001b32a9da4e", "2000001b32a9da4f"));
    g_assert_false(virStorageSCSIWWNEqual("2000001b32a9da4e", "2000001b32a9da4e0"));
    g_assert_false(virStorageSCSIWWNEqual("0x", ""));
}


static void
testFCHostByWWN(const void *opaque G_GNUC_UNUSED)
{
    unsigned int host = 99;

    g_assert_cmpint(virStorageSCSIFCHostByWWNQuiet(fixture, "2000001b32a9da4e",
                                                   "2100001b32a9da4e", &host), ==, 0);
    g_assert_cmpuint(host, ==, 5);
    g_assert_cmpint(virStorageSCSIFCHostByWWNQuiet(fixture, "5001A4AAF3CA174B",
                                                   "5001a4a28b6bcfbc", &host), ==, 0);
    g_assert_cmpuint(host, ==, 6);

    host = 99;
    /* node and port names swapped, one digit off */
    g_assert_cmpint(virStorageSCSIFCHostByWWNQuiet(fixture, "2100001b32a9da4e",
                                                   "2000001b32a9da4e", &host), ==, -ENOENT);
    g_assert_cmpint(virStorageSCSIFCHostByWWNQuiet(fixture, "2000001b32a9da4e",
                                                   "2100001b32a9da4f", &host), ==, -ENOENT);
    g_assert_cmpuint(host, ==, 99);
    g_assert_cmpint(virStorageSCSIFCHostByWWNQuiet("/nonexistent-sysfs", "2000001b32a9da4e",
                                                   "2100001b32a9da4e", &host), ==, -ENOENT);
}


static void
testFCHostByFabric(const void *opaque G_GNUC_UNUSED)
{
    unsigned int host = 99;

    g_assert_cmpint(virStorageSCSIFCHostByFabricQuiet(fixture, "2001000dec9877c1",
                                                      &host), ==, 0);
    g_assert_cmpuint(host, ==, 1);
    g_assert_cmpint(virStorageSCSIFCHostByFabricQuiet(fixture, "2001000dec9877c2",
                                                      &host), ==, -ENOENT);
}


static void
testVportCapable(const void *opaque G_GNUC_UNUSED)
{
    unsigned int host = 99;

    g_assert_true(virStorageSCSIFCHostIsVportCapable(fixture, 1));
    g_assert_true(virStorageSCSIFCHostIsVportCapable(fixture, 5));
    g_assert_false(virStorageSCSIFCHostIsVportCapable(fixture, 6));
    g_assert_false(virStorageSCSIFCHostIsVportCapable(fixture, 2));

    /* host1 is vport capable but its link is down */
    g_assert_cmpint(virStorageSCSIFCHostFindVportCapableQuiet(copydir, &host), ==, 0);
    g_assert_cmpuint(host, ==, 5);

    /* every vport of host5 in use: none left */
    testWriteCopy("devices/pci0000:00/0000:00:06.0/host5/fc_host/host5/npiv_vports_inuse",
                  "127\n");
    host = 99;
    g_assert_cmpint(virStorageSCSIFCHostFindVportCapableQuiet(copydir, &host), ==, -ENOENT);
    g_assert_cmpuint(host, ==, 99);
    testWriteCopy("devices/pci0000:00/0000:00:06.0/host5/fc_host/host5/npiv_vports_inuse",
                  "1\n");
}


static void
testVportParent(const void *opaque G_GNUC_UNUSED)
{
    unsigned int parent = 99;

    g_assert_cmpint(virStorageSCSIHostVportParentQuiet(fixture, 6, &parent), ==, 0);
    g_assert_cmpuint(parent, ==, 5);

    parent = 99;
    g_assert_cmpint(virStorageSCSIHostVportParentQuiet(fixture, 5, &parent), ==, -ENOENT);
    g_assert_cmpint(virStorageSCSIHostVportParentQuiet(fixture, 2, &parent), ==, -ENOENT);
    g_assert_cmpint(virStorageSCSIHostVportParentQuiet(fixture, 9, &parent), ==, -ENOENT);
    g_assert_cmpuint(parent, ==, 99);
}


static void
testVportCreateDelete(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *created = NULL;
    g_autofree char *deleted = NULL;

    g_assert_cmpint(virStorageSCSIFCHostVportCreateQuiet(copydir, 5, "5001a4aaf3ca174b",
                                                         "5001a4a28b6bcfbc"), ==, 0);
    created = testReadCopy("devices/pci0000:00/0000:00:06.0/host5/fc_host/host5/vport_create");
    g_assert_cmpstr(created, ==, "5001a4a28b6bcfbc:5001a4aaf3ca174b");

    g_assert_cmpint(virStorageSCSIFCHostVportDeleteQuiet(copydir, 5, "5001a4aaf3ca174b",
                                                         "5001a4a28b6bcfbc"), ==, 0);
    deleted = testReadCopy("devices/pci0000:00/0000:00:06.0/host5/fc_host/host5/vport_delete");
    g_assert_cmpstr(deleted, ==, "5001a4a28b6bcfbc:5001a4aaf3ca174b");

    /* a host that is no fc_host, or cannot create vports */
    g_assert_cmpint(virStorageSCSIFCHostVportCreateQuiet(copydir, 2, "5001a4aaf3ca174b",
                                                         "5001a4a28b6bcfbc"), ==, -ENOENT);
    g_assert_cmpint(virStorageSCSIFCHostVportCreateQuiet(copydir, 6, "5001a4aaf3ca174b",
                                                         "5001a4a28b6bcfbc"), ==, -ENOENT);
}


static void
testCopyFixture(void)
{
    g_autofree char *tmp = g_dir_make_tmp("scsihosttest-XXXXXX", NULL);
    const char *argv[] = { "cp", "-a", "--", fixture, NULL, NULL };
    int status = -1;

    g_assert_nonnull(tmp);
    copydir = g_build_filename(tmp, "sys", NULL);
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
    size_t i;
    int ret;

    lvsbTestInit(&argc, &argv);
    lvsbTestSetDataDir("storagescsihostdata");
    fixture = lvsbTestDataPath("sys", "");
    testCopyFixture();

    g_test_add_data_func("/scsihost/number", NULL, testHostNumber);
    g_test_add_data_func("/scsihost/exists", NULL, testHostExists);
    for (i = 0; i < G_N_ELEMENTS(parentCases); i++) {
        g_autofree char *name = g_strdup_printf("/scsihost/parentaddr/%04x:%02x:%02x.%x-%u",
                                                parentCases[i].domain, parentCases[i].bus,
                                                parentCases[i].slot, parentCases[i].function,
                                                parentCases[i].uniqueId);

        g_test_add_data_func(name, &parentCases[i], testHostByParentaddr);
    }
    g_test_add_data_func("/scsihost/parentaddr/no-sysfs", NULL, testHostByParentaddrNoSysfs);
    g_test_add_data_func("/scsihost/luns", NULL, testLunsOfHost);
    g_test_add_data_func("/scsihost/scan", NULL, testScan);
    g_test_add_data_func("/scsihost/wwn-equal", NULL, testWWNEqual);
    g_test_add_data_func("/scsihost/fc-by-wwn", NULL, testFCHostByWWN);
    g_test_add_data_func("/scsihost/fc-by-fabric", NULL, testFCHostByFabric);
    g_test_add_data_func("/scsihost/vport-capable", NULL, testVportCapable);
    g_test_add_data_func("/scsihost/vport-parent", NULL, testVportParent);
    g_test_add_data_func("/scsihost/vport-create-delete", NULL, testVportCreateDelete);

    ret = lvsbTestRun();
    testRemoveCopy();
    return ret;
}
