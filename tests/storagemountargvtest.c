/*
 * storagemountargvtest.c: mount, lazy umount and mkfs command lines of fs and
 * netfs pools, and the lookups in the mount table
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Mount cases parse storagemountargvdata/<pool>.xml with our fs XML
 * namespace registered, build the source string and the mount command
 * with storage_mount.c and compare with storagemountargvdata/<case>.argv.
 * Some cases change the parsed definition first, to reach states the
 * XML parser itself refuses (no host, no device...).  mkfs cases call
 * the builder of storage_mkfs.c directly.
 *
 * Fixture format: the command as virCommandToString(cmd, false) renders
 * it, split back into arguments with the shell's quoting rules
 * (g_shell_parse_argv), one argument per line.
 *
 * Refused cases have no .argv file and must fail with the error code
 * they list.
 *
 * Mountinfo cases look up targets and devices in real captured
 * /proc/self/mountinfo files, read through libmount as the daemon reads
 * its own.
 *
 * VIR_TEST_REGENERATE_OUTPUT=1 rewrites the .argv files from the
 * builders' output; review the diff before committing it.
 */

#include <config.h>

#include <sys/sysmacros.h>

#include <glib/gstdio.h>

#include "storage_mkfs.h"
#include "storage_mount.h"
#include "storage_pool_fs_namespace.h"
#include "lvsbtestutils.h"
#include "viralloc.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

typedef enum {
    EDIT_NONE,
    EDIT_NO_DEVICE,       /* fs pool without <device> */
    EDIT_TWO_DEVICES,     /* fs pool with two <device> */
    EDIT_NO_HOST,         /* netfs pool without <host> */
    EDIT_NO_DIR,          /* netfs pool without <dir> */
    EDIT_HAND_OPTS,       /* fs:mount_opts set in code, not XML */
    EDIT_UNSAFE_OPTS,     /* suid, dev, exec, which the parser refuses */
    EDIT_DASH_DEVICE,     /* fs device "-V", an option of mount.nfs */
    EDIT_DASH_HOST,       /* netfs host "-V" */
    EDIT_DASH_TARGET,     /* target "-V" */
} testEdit;

typedef struct {
    const char *name;       /* case name, and .argv file name */
    const char *pool;       /* pool XML, without .xml */
    testEdit edit;
    int error;              /* expected error code of a refusal, or 0 */
} testMountCase;

typedef struct {
    const char *name;
    const char *fstype;
    const char *device;
    bool overwrite;
    int error;
} testMkfsCase;

typedef struct {
    const char *name;
    const char *file;       /* captured mountinfo */
    const char *target;
    int result;             /* 1 mounted, 0 not */
    const char *source;     /* expected source when mounted */
} testMountInfoCase;


static void
testEditPool(virStoragePoolDef *def, testEdit edit)
{
    virStoragePoolFSMountOpts *opts;
    size_t i;

    switch (edit) {
    case EDIT_NONE:
        break;
    case EDIT_NO_DEVICE:
        for (i = 0; i < def->source.ndevice; i++)
            virStoragePoolSourceDeviceClear(&def->source.devices[i]);
        g_clear_pointer(&def->source.devices, g_free);
        def->source.ndevice = 0;
        break;
    case EDIT_TWO_DEVICES:
        VIR_EXPAND_N(def->source.devices, def->source.ndevice, 1);
        def->source.devices[1].path = g_strdup("/dev/vdz");
        break;
    case EDIT_NO_HOST:
        for (i = 0; i < def->source.nhost; i++)
            g_free(def->source.hosts[i].name);
        g_clear_pointer(&def->source.hosts, g_free);
        def->source.nhost = 0;
        break;
    case EDIT_NO_DIR:
        g_clear_pointer(&def->source.dir, g_free);
        break;
    case EDIT_HAND_OPTS:
        g_assert_null(def->namespaceData);
        opts = g_new0(virStoragePoolFSMountOpts, 1);
        opts->noptions = 2;
        opts->options = g_new0(char *, 3);   /* NULL-terminated */
        opts->options[0] = g_strdup("noatime");
        opts->options[1] = g_strdup("discard");
        def->namespaceData = opts;
        break;
    case EDIT_UNSAFE_OPTS:
        g_assert_null(def->namespaceData);
        opts = g_new0(virStoragePoolFSMountOpts, 1);
        opts->noptions = 3;
        opts->options = g_new0(char *, 4);
        opts->options[0] = g_strdup("suid");
        opts->options[1] = g_strdup("dev");
        opts->options[2] = g_strdup("exec");
        def->namespaceData = opts;
        break;
    case EDIT_DASH_DEVICE:
        g_free(def->source.devices[0].path);
        def->source.devices[0].path = g_strdup("-V");
        break;
    case EDIT_DASH_HOST:
        g_free(def->source.hosts[0].name);
        def->source.hosts[0].name = g_strdup("-V");
        break;
    case EDIT_DASH_TARGET:
        g_free(def->target.path);
        def->target.path = g_strdup("-V");
        break;
    }
}


/* Frees what EDIT_HAND_OPTS attached, so that the pool's own
 * namespace free function never sees it. */
static void
testUneditPool(virStoragePoolDef *def, testEdit edit)
{
    virStoragePoolFSMountOpts *opts = def->namespaceData;

    if (edit != EDIT_HAND_OPTS && edit != EDIT_UNSAFE_OPTS)
        return;

    g_strfreev(opts->options);
    g_free(opts);
    def->namespaceData = NULL;
}


static void
testMount(const void *opaque)
{
    const testMountCase *info = opaque;
    g_autoptr(virStoragePoolDef) def = lvsbTestParsePoolFile(info->pool);
    g_autofree char *source = NULL;
    g_autoptr(virCommand) cmd = NULL;

    if (!def)
        return;

    testEditPool(def, info->edit);
    virResetLastError();

    source = virStorageMountSourceString(def);
    if (source)
        cmd = virStorageMountBuildCommand(def, source);

    if (info->error)
        lvsbTestExpectRefusal(info->name, cmd, info->error, NULL);
    else
        lvsbTestCompareCommandToFile(cmd, info->name);

    testUneditPool(def, info->edit);
}


static void
testUmountLazy(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = NULL;

    cmd = virStorageUmountLazyBuildCommand("/var/lib/libvirt/pools/nfs42");
    lvsbTestCompareCommandToFile(cmd, "umount-lazy");
}


static void
testProbe(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virCommand) cmd = NULL;

    cmd = virStorageMountProbeBuildCommand("/var/lib/libvirt/pools/nfs42");
    lvsbTestCompareCommandToFile(cmd, "probe");
}


/* the limit of each pool's mount */
static void
testTimeLimit(const void *opaque G_GNUC_UNUSED)
{
    static const struct {
        const char *pool;
        unsigned int seconds;
    } cases[] = {
        { "fs-ext4", 0 },
        { "netfs-nfs3", VIR_STORAGE_MOUNT_NFS_TIME_LIMIT },
        { "netfs-auto", VIR_STORAGE_MOUNT_NFS_TIME_LIMIT },
        { "netfs-cifs", VIR_STORAGE_MOUNT_NETFS_TIME_LIMIT },
        { "netfs-glusterfs", VIR_STORAGE_MOUNT_GLUSTER_TIME_LIMIT },
        { "netfs-nfs-mountopts", VIR_STORAGE_MOUNT_NFS_TIME_LIMIT + 2 * 60 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(virStoragePoolDef) def = lvsbTestParsePoolFile(cases[i].pool);

        if (!def)
            return;
        g_assert_cmpuint(virStorageMountTimeLimit(def), ==, cases[i].seconds);
    }
}


static void
testMkfs(const void *opaque)
{
    const testMkfsCase *info = opaque;
    g_autoptr(virCommand) cmd = NULL;

    virResetLastError();
    cmd = virStorageMkfsBuildCommand(info->fstype, info->device,
                                     info->overwrite);

    if (info->error)
        lvsbTestExpectRefusal(info->name, cmd, info->error, NULL);
    else
        lvsbTestCompareCommandToFile(cmd, info->name);
}


static void
testMountInfo(const void *opaque)
{
    const testMountInfoCase *info = opaque;
    g_autofree char *path = lvsbTestDataPath(info->file, "");
    g_autofree char *source = NULL;
    int rc;

    rc = virStorageMountTableFindTarget(path, info->target, &source);
    g_assert_cmpint(rc, ==, info->result);
    if (rc == 1)
        g_assert_cmpstr(source, ==, info->source);
    else
        g_assert_null(source);

    /* the same answer without asking for the source */
    g_assert_cmpint(virStorageMountTableFindTarget(path, info->target, NULL),
                    ==, info->result);
}


/* The mount point of a partition, by its device number: what the disk
 * pool asks before it deletes one (storage_vol_partition.c). */
static void
testMountInfoDevice(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = lvsbTestDataPath("mountinfo-partition.txt", "");
    g_autofree char *target = NULL;

    g_assert_cmpint(virStorageMountTableFindDevice(path, makedev(259, 0),
                                                   &target), ==, 1);
    g_assert_cmpstr(target, ==, "/tmp/x/mnt");
    g_clear_pointer(&target, g_free);

    g_assert_cmpint(virStorageMountTableFindDevice(path, makedev(259, 1),
                                                   &target), ==, 0);
    g_assert_null(target);
}


/* A table that cannot be read is an error, not "not mounted". */
static void
testMountInfoMissing(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *path = lvsbTestDataPath("mountinfo-missing.txt", "");
    g_autofree char *target = NULL;

    virResetLastError();
    g_assert_cmpint(virStorageMountTableFindTarget(path, "/", NULL), ==, -1);
    g_assert_cmpint(virGetLastErrorCode(), ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpint(virStorageMountTableFindDevice(path, makedev(259, 0),
                                                   &target), ==, -1);
    g_assert_null(target);
    virResetLastError();
}


/* The running system: "/" is always a mount point, also when reached
 * through a symlink; a fresh directory never is, nor a missing one. */
static void
testIsMounted(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *dir = g_dir_make_tmp("mounttest-XXXXXX", NULL);
    g_autofree char *link = NULL;
    g_autofree char *missing = NULL;

    g_assert_nonnull(dir);
    link = g_build_filename(dir, "root", NULL);
    missing = g_build_filename(dir, "missing", NULL);
    g_assert_cmpint(symlink("/", link), ==, 0);

    g_assert_cmpint(virStorageMountIsMounted("/"), ==, 1);
    g_assert_cmpint(virStorageMountIsMounted(link), ==, 1);
    g_assert_cmpint(virStorageMountIsMounted(dir), ==, 0);
    g_assert_cmpint(virStorageMountIsMounted(missing), ==, 0);

    g_assert_cmpint(g_unlink(link), ==, 0);
    g_assert_cmpint(g_rmdir(dir), ==, 0);
}


#define MOUNT(name, pool) \
    { name, pool, EDIT_NONE, 0 }
#define MOUNT_EDIT(name, pool, edit) \
    { name, pool, edit, 0 }
#define MOUNT_FAIL(name, pool, edit, code) \
    { name, pool, edit, code }

static const testMountCase mountTests[] = {
    MOUNT("mount-fs-ext4", "fs-ext4"),
    MOUNT("mount-fs-auto", "fs-auto"),
    MOUNT("mount-fs-xfs-mountopts", "fs-xfs-mountopts"),
    MOUNT_EDIT("mount-fs-ext4-handopts", "fs-ext4", EDIT_HAND_OPTS),
    /* nodev,nosuid,noexec come last, so they win */
    MOUNT_EDIT("mount-fs-ext4-unsafeopts", "fs-ext4", EDIT_UNSAFE_OPTS),
    MOUNT_EDIT("mount-netfs-nfs3-unsafeopts", "netfs-nfs3", EDIT_UNSAFE_OPTS),
    MOUNT("mount-netfs-nfs3", "netfs-nfs3"),
    MOUNT("mount-netfs-nfs42", "netfs-nfs42"),
    MOUNT("mount-netfs-nfs-ipv6", "netfs-nfs-ipv6"),
    MOUNT("mount-netfs-nfs-mountopts", "netfs-nfs-mountopts"),
    MOUNT("mount-netfs-cifs", "netfs-cifs"),
    MOUNT("mount-netfs-cifs-username", "netfs-cifs-username"),
    MOUNT("mount-netfs-glusterfs", "netfs-glusterfs"),
    MOUNT("mount-netfs-glusterfs-noslash", "netfs-glusterfs-noslash"),
    MOUNT("mount-netfs-auto", "netfs-auto"),
    MOUNT_FAIL("mount-fs-nodevice", "fs-ext4", EDIT_NO_DEVICE,
               VIR_ERR_CONFIG_UNSUPPORTED),
    MOUNT_FAIL("mount-fs-twodevices", "fs-ext4", EDIT_TWO_DEVICES,
               VIR_ERR_CONFIG_UNSUPPORTED),
    MOUNT_FAIL("mount-netfs-nohost", "netfs-nfs3", EDIT_NO_HOST,
               VIR_ERR_CONFIG_UNSUPPORTED),
    MOUNT_FAIL("mount-netfs-nodir", "netfs-cifs", EDIT_NO_DIR,
               VIR_ERR_CONFIG_UNSUPPORTED),
    MOUNT_FAIL("mount-netfs-glusterfs-novolume", "netfs-glusterfs-novolume",
               EDIT_NONE, VIR_ERR_CONFIG_UNSUPPORTED),
    /* positional arguments a mount helper would take for options */
    MOUNT_FAIL("mount-fs-dash-device", "fs-ext4", EDIT_DASH_DEVICE,
               VIR_ERR_INVALID_ARG),
    MOUNT_FAIL("mount-netfs-dash-host", "netfs-nfs3", EDIT_DASH_HOST,
               VIR_ERR_INVALID_ARG),
    MOUNT_FAIL("mount-netfs-gluster-dash-host", "netfs-glusterfs",
               EDIT_DASH_HOST, VIR_ERR_INVALID_ARG),
    MOUNT_FAIL("mount-fs-dash-target", "fs-ext4", EDIT_DASH_TARGET,
               VIR_ERR_INVALID_ARG),
    MOUNT_FAIL("mount-netfs-dash-target", "netfs-nfs42", EDIT_DASH_TARGET,
               VIR_ERR_INVALID_ARG),
};

static const testMkfsCase mkfsTests[] = {
    { "mkfs-ext2", "ext2", "/dev/vdb1", false, 0 },
    { "mkfs-ext3-overwrite", "ext3", "/dev/vdb1", true, 0 },
    { "mkfs-ext4", "ext4", "/dev/vdb1", false, 0 },
    { "mkfs-ext4-overwrite", "ext4", "/dev/vdb1", true, 0 },
    { "mkfs-xfs", "xfs", "/dev/loop7", false, 0 },
    { "mkfs-xfs-overwrite", "xfs", "/dev/loop7", true, 0 },
    { "mkfs-btrfs", "btrfs", "/dev/disk/by-id/virtio-data", false, 0 },
    { "mkfs-btrfs-overwrite", "btrfs", "/dev/disk/by-id/virtio-data", true, 0 },
    { "mkfs-vfat", "vfat", "/dev/sdc1", false, 0 },
    { "mkfs-vfat-overwrite", "vfat", "/dev/sdc1", true, 0 },
    { "mkfs-auto", "auto", "/dev/vdb1", false, VIR_ERR_CONFIG_UNSUPPORTED },
    { "mkfs-auto-overwrite", "auto", "/dev/vdb1", true,
      VIR_ERR_CONFIG_UNSUPPORTED },
    { "mkfs-iso9660", "iso9660", "/dev/vdb1", false,
      VIR_ERR_CONFIG_UNSUPPORTED },
};

static const testMountInfoCase mountInfoTests[] = {
    { "root", "mountinfo-private.txt", "/", 1, "/dev/vda" },
    { "glusterfs", "mountinfo-private.txt", "/tmp/mount-gl/mnt1", 1,
      "127.0.0.1:gv0" },
    { "glusterfs-slash", "mountinfo-private.txt", "/tmp/mount-gl/mnt3/", 1,
      "127.0.0.1:/gv0" },
    { "escaped-space", "mountinfo-private.txt", "/tmp/mount-gl/mnt 2", 1,
      "tmpfs" },
    { "escaped-backslash", "mountinfo-private.txt",
      "/tmp/mount-gl/back\\slash", 1, "src with space" },
    { "stacked", "mountinfo-private.txt", "/tmp/mount-gl/stack", 1, "upper" },
    { "not-mounted", "mountinfo-private.txt", "/tmp/mount-gl", 0, NULL },
    { "prefix-only", "mountinfo-private.txt", "/tmp/mount-gl/mnt", 0, NULL },
    { "escape-not-decoded", "mountinfo-private.txt",
      "/tmp/mount-gl/mnt\\0402", 0, NULL },
    { "shared-glusterfs", "mountinfo-shared.txt", "/tmp/mount-gl/mnt1", 1,
      "127.0.0.1:gv0" },
    { "shared-stacked", "mountinfo-shared.txt", "/tmp/mount-gl/stack", 1,
      "upper" },
    { "shared-escaped", "mountinfo-shared.txt", "/tmp/mount-gl/back\\slash", 1,
      "src with space" },
    { "shared-cgroup", "mountinfo-shared.txt", "/sys/fs/cgroup/unified", 1,
      "cgroup2" },
    { "shared-not-mounted", "mountinfo-shared.txt", "/var/lib/libvirt", 0,
      NULL },
};


/* Text the kernel never writes, after a first line that it does
 * (libmount tells the format of the table from its first line): lines
 * libmount must skip. */
static void
testMountInfoMalformed(const void *opaque G_GNUC_UNUSED)
{
    const char *text =
        "22 1 98:1 / / rw - ext4 /dev/root rw\n"
        "\n"
        "garbage\n"
        "36 35 98:0 /mnt1 /mnt/a rw,noatime master:1 - ext3\n"
        "37 35 98:0 /mnt1 /mnt/b rw,noatime master:1 ext3 /dev/x rw\n"
        "38 35 98:0 / /mnt/c rw - ext4 /dev/c rw,errors=continue\n";
    g_autofree char *dir = g_dir_make_tmp("mounttest-XXXXXX", NULL);
    g_autofree char *path = NULL;
    g_autofree char *empty = NULL;
    g_autofree char *source = NULL;

    g_assert_nonnull(dir);
    path = g_build_filename(dir, "mountinfo", NULL);
    empty = g_build_filename(dir, "empty", NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    g_assert_true(g_file_set_contents(empty, "", 0, NULL));

    g_assert_cmpint(virStorageMountTableFindTarget(path, "/mnt/a", NULL), ==, 0);
    g_assert_cmpint(virStorageMountTableFindTarget(path, "/mnt/b", NULL), ==, 0);
    g_assert_cmpint(virStorageMountTableFindTarget(path, "/mnt/c", &source),
                    ==, 1);
    g_assert_cmpstr(source, ==, "/dev/c");
    g_assert_cmpint(virStorageMountTableFindTarget(empty, "/", NULL), ==, 0);

    g_unlink(path);
    g_unlink(empty);
    g_rmdir(dir);
}


int
main(int argc, char **argv)
{
    lvsbTestInit(&argc, &argv);

    if (virStoragePoolFSNamespaceRegister() < 0)
        g_error("cannot register the fs namespace: %s",
                virGetLastErrorMessage());

    lvsbTestSetDataDir("storagemountargvdata");

    LVSB_TEST_ADD_CASES("/mount", mountTests, testMount);
    g_test_add_data_func("/mount/umount-lazy", NULL, testUmountLazy);
    g_test_add_data_func("/mount/probe", NULL, testProbe);
    g_test_add_data_func("/mount/time-limit", NULL, testTimeLimit);
    LVSB_TEST_ADD_CASES("/mkfs", mkfsTests, testMkfs);
    LVSB_TEST_ADD_CASES("/mountinfo", mountInfoTests, testMountInfo);

    g_test_add_data_func("/mountinfo/device", NULL, testMountInfoDevice);
    g_test_add_data_func("/mountinfo/missing", NULL, testMountInfoMissing);
    g_test_add_data_func("/mountinfo/malformed", NULL, testMountInfoMalformed);
    g_test_add_data_func("/mountinfo/system", NULL, testIsMounted);

    return g_test_run();
}
