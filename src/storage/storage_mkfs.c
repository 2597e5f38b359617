/*
 * storage_mkfs.c: making the file system of fs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_mkfs.h"
#include "virerror.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/* One row per file system we know how to make.
 *
 * The fs backend runs mkfs only after libblkid found no signature on
 * the device, unless the user asked to overwrite (pool-build
 * --overwrite).  So the flag in @overwriteFlag is only passed in that
 * case.  What each flag does, checked with Debian 12's tools:
 *  - mkfs.ext2/3/4 -F: skips the "contains a file system, proceed?"
 *    question (asked only on a tty; without one mke2fs just proceeds)
 *    and the checks on odd devices;
 *  - mkfs.xfs -f, mkfs.btrfs -f: without it both refuse a device that
 *    holds any known signature;
 *  - mkfs.vfat -I: without it mkfs.fat refuses a whole disk that holds
 *    a partition table.
 *
 * All six read their options with getopt (mke2fs, mkfs.xfs) or
 * getopt_long (mkfs.btrfs, mkfs.fat), which end them at "--": checked
 * with each tool on an image file, "mkfs.X -- -V" looks for a device
 * named "-V".  So the device comes after "--".
 */
typedef struct {
    const char *fstype;
    const char *program;
    const char *overwriteFlag;
} virStorageMkfsTool;

static const virStorageMkfsTool mkfsTools[] = {
    { "ext2", "mkfs.ext2", "-F" },
    { "ext3", "mkfs.ext3", "-F" },
    { "ext4", "mkfs.ext4", "-F" },
    { "xfs", "mkfs.xfs", "-f" },
    { "btrfs", "mkfs.btrfs", "-f" },
    { "vfat", "mkfs.vfat", "-I" },
};


static const virStorageMkfsTool *
virStorageMkfsFindTool(const char *fstype)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(mkfsTools); i++) {
        if (STREQ(mkfsTools[i].fstype, fstype))
            return &mkfsTools[i];
    }

    return NULL;
}


virCommand *
virStorageMkfsBuildCommand(const char *fstype,
                           const char *device,
                           bool overwrite)
{
    const virStorageMkfsTool *tool;
    g_autoptr(virCommand) cmd = NULL;

    if (!fstype || STREQ(fstype, "auto")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot make a file system of type 'auto' on '%s': choose a file system format (<format type='ext4'/>, 'xfs', ...) for the pool to build it"),
                       device);
        return NULL;
    }

    if (!(tool = virStorageMkfsFindTool(fstype))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot make a file system of type '%s' on '%s': pool build supports ext2, ext3, ext4, xfs, btrfs and vfat; make it yourself and start the pool without building it"),
                       fstype, device);
        return NULL;
    }

    cmd = virCommandNew(tool->program);
    if (overwrite)
        virCommandAddArg(cmd, tool->overwriteFlag);
    virCommandAddArgList(cmd, "--", device, NULL);

    return g_steal_pointer(&cmd);
}
