/*
 * storagevolprobetest.c: what a refresh makes of files a guest wrote
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Crafted image headers and directory entries in a temporary directory,
 * probed as a pool refresh does (src/storage/storage_vol_probe.c).
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "storage_vol_probe.h"
#include "storage_vol_open.h"
#include "lvsbtestutils.h"

#define MiB (1024 * 1024)


static void
testPutBE(unsigned char *buf,
          unsigned long long value,
          size_t bytes)
{
    size_t i;

    for (i = 0; i < bytes; i++)
        buf[i] = value >> (8 * (bytes - 1 - i));
}

static char *workdir;


static char *
testPath(const char *name)
{
    return g_build_filename(workdir, name, NULL);
}


/* A file of @size bytes starting with @len bytes of @header. */
static void
testWriteImage(const char *name,
               const unsigned char *header,
               size_t len,
               off_t size)
{
    g_autofree char *path = testPath(name);
    int fd;

    g_unlink(path);
    fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, header, len, 0), ==, len);
    g_assert_cmpint(ftruncate(fd, size), ==, 0);
    close(fd);
}


/* A LUKS1 header: magic, version 1, payload offset (sectors) at 104. */
static void
testWriteLuks(const char *name,
              unsigned int payloadSectors,
              off_t size)
{
    unsigned char header[512] = { 'L', 'U', 'K', 'S', 0xba, 0xbe, 0, 1 };

    memcpy(header + 8, "aes", 3);
    memcpy(header + 40, "xts-plain64", 11);
    memcpy(header + 72, "sha256", 6);
    testPutBE(header + 104, payloadSectors, 4);
    testWriteImage(name, header, sizeof(header), size);
}


static int
testProbe(const char *name,
          virStorageVolDef **volp)
{
    g_autoptr(virStorageVolDef) vol = g_new0(virStorageVolDef, 1);
    struct stat sb;
    int dirFd = virStorageVolOpenDirQuiet(workdir);
    int rc;

    g_assert_cmpint(dirFd, >=, 0);
    vol->name = g_strdup(name);
    vol->target.path = testPath(name);
    rc = virStorageVolProbeAtQuiet(vol, dirFd, name, &sb);
    close(dirFd);
    if (volp)
        *volp = g_steal_pointer(&vol);
    return rc;
}


/* The payload offset of a guest-written LUKS header lies past the end of
 * the file: the entry is a corrupt header, not a volume of 2^64 bytes. */
static void
testLuksPayloadPastEnd(const void *opaque G_GNUC_UNUSED)
{
    /* 2^20 sectors = 512 MiB of header in a 1 MiB file */
    testWriteLuks("luks-past-end", 1 << 20, MiB);
    g_assert_cmpint(testProbe("luks-past-end", NULL), ==, -EINVAL);

    /* 2^31 sectors: negative once read into an int */
    testWriteLuks("luks-negative", 0x80000000U, MiB);
    g_assert_cmpint(testProbe("luks-negative", NULL), ==, -EINVAL);

    /* 2^23 sectors: 2^32 bytes, which an int multiplication wraps to 0 */
    testWriteLuks("luks-wraps", 1 << 23, MiB);
    g_assert_cmpint(testProbe("luks-wraps", NULL), ==, -EINVAL);
}


static void
testLuksPayloadInside(const void *opaque G_GNUC_UNUSED)
{
    g_autoptr(virStorageVolDef) vol = NULL;

    /* 4096 sectors (2 MiB) of header in a 4 MiB file: 2 MiB of data */
    testWriteLuks("luks-ok", 4096, 4 * MiB);
    g_assert_cmpint(testProbe("luks-ok", &vol), ==, 0);
    g_assert_nonnull(vol->target.encryption);
    g_assert_cmpuint(vol->target.capacity, ==, 2 * MiB);

    /* the whole file is header: no data, still a volume */
    g_clear_pointer(&vol, virStorageVolDefFree);
    testWriteLuks("luks-all-header", 2048, MiB);
    g_assert_cmpint(testProbe("luks-all-header", &vol), ==, 0);
    g_assert_cmpuint(vol->target.capacity, ==, 0);
}


/* A qcow2 header (as a guest writes it into its raw disk) naming a FIFO
 * and a root-only file as backing: the probe reports the name and opens
 * nothing (alarm() kills the test if it waits on the FIFO). */
static void
testBackingNamedOnly(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *fifo = testPath("backing-fifo");
    const char *names[] = { "backing-fifo", "root-only" };
    size_t i;

    g_unlink(fifo);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    {
        g_autofree char *secret = testPath("root-only");

        g_assert_true(g_file_set_contents(secret, "secret", -1, NULL));
        g_assert_cmpint(chmod(secret, 0600), ==, 0);
    }

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autoptr(virStorageVolDef) vol = NULL;
        g_autofree char *backing = testPath(names[i]);
        unsigned char header[512] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 2 };
        size_t len = strlen(backing);

        testPutBE(header + 8, 256, 8);        /* backing file offset */
        testPutBE(header + 16, len, 4);       /* backing file size */
        testPutBE(header + 20, 16, 4);        /* cluster bits */
        testPutBE(header + 24, 8 * MiB, 8);   /* virtual size */
        memcpy(header + 256, backing, len);
        testWriteImage("guest.img", header, sizeof(header), MiB);

        alarm(10);
        g_assert_cmpint(testProbe("guest.img", &vol), ==, 0);
        alarm(0);
        g_assert_cmpint(vol->target.format, ==, VIR_STORAGE_FILE_QCOW2);
        g_assert_nonnull(vol->target.backingStore);
        g_assert_cmpstr(vol->target.backingStore->path, ==, backing);
        g_assert_cmpint(vol->target.backingStore->format, ==, VIR_STORAGE_FILE_RAW);
        g_assert_null(vol->target.backingStore->perms);
    }
}


static void
testEntriesNotFollowed(const void *opaque G_GNUC_UNUSED)
{
    g_autofree char *link = testPath("link.img");
    g_autofree char *fifo = testPath("entry-fifo");

    testWriteImage("target.img", (const unsigned char *) "x", 1, MiB);
    g_unlink(link);
    g_assert_cmpint(symlink("target.img", link), ==, 0);
    g_unlink(fifo);
    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);

    alarm(10);
    g_assert_cmpint(testProbe("link.img", NULL), ==, -ELOOP);
    g_assert_cmpint(testProbe("entry-fifo", NULL), ==, -ENOTSUP);
    alarm(0);
    g_assert_cmpint(testProbe("target.img", NULL), ==, 0);
}


int
main(int argc, char **argv)
{
    int ret;

    lvsbTestInit(&argc, &argv);

    workdir = lvsbTestMakeWorkDir("volprobetest");

    g_test_add_data_func("/volprobe/luks-payload-past-end", NULL,
                         testLuksPayloadPastEnd);
    g_test_add_data_func("/volprobe/luks-payload-inside", NULL,
                         testLuksPayloadInside);
    g_test_add_data_func("/volprobe/backing-named-only", NULL,
                         testBackingNamedOnly);
    g_test_add_data_func("/volprobe/entries-not-followed", NULL,
                         testEntriesNotFollowed);

    ret = g_test_run();

    lvsbTestRemoveWorkDir(workdir);
    g_free(workdir);
    return ret;
}
