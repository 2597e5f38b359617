/*
 * storage_vol_wipe.c: wiping file volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How a volume is wiped:
 *
 *  - "zero" (the default) makes every byte read as zero without writing
 *    them where the file system can do better.  A sparse file gets its
 *    blocks released (punch hole), so a wipe never grows a thin volume;
 *    a fully allocated file keeps its blocks (zero range), so a wipe
 *    never takes back space the user asked to reserve.  Block devices
 *    use BLKZEROOUT.  Zeros are written only where none of that works.
 *  - "trim" releases the blocks: punch hole for a file (which then reads
 *    as zeros), BLKDISCARD for a block device.
 *  - every other algorithm is a scrub(1) pattern.
 *
 * A volume in a format other than raw (qcow2, vmdk...) is an image
 * container: after its bytes are wiped it is created again, empty, with
 * the same format, capacity and backing store, so it stays usable; an
 * encrypted one gets new key slots for the same secret.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/fs.h>

#include "storage_vol_wipe.h"
#include "storage_blockdev.h"
#include "storage_command.h"
#include "storage_vol_file.h"
#include "storage_file_extents.h"
#include "storage_vol_backing.h"
#include "storage_vol_open.h"
#include "vircommand.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_wipe");

int
virStorageVolWipeMethodForAlgorithm(unsigned int algorithm,
                                    virStorageVolWipeMethod *method,
                                    const char **pattern)
{
    *pattern = NULL;
    *method = VIR_STORAGE_VOL_WIPE_METHOD_SCRUB;

    switch ((virStorageVolWipeAlgorithm) algorithm) {
    case VIR_STORAGE_VOL_WIPE_ALG_ZERO:
        *method = VIR_STORAGE_VOL_WIPE_METHOD_ZERO;
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_TRIM:
        *method = VIR_STORAGE_VOL_WIPE_METHOD_TRIM;
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_NNSA:
        *pattern = "nnsa";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_DOD:
        *pattern = "dod";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_BSI:
        *pattern = "bsi";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_GUTMANN:
        *pattern = "gutmann";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_SCHNEIER:
        *pattern = "schneier";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_PFITZNER7:
        *pattern = "pfitzner7";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_PFITZNER33:
        *pattern = "pfitzner33";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_RANDOM:
        *pattern = "random";
        return 0;
    case VIR_STORAGE_VOL_WIPE_ALG_LAST:
        break;
    }

    virReportError(VIR_ERR_INVALID_ARG,
                   _("unknown wipe algorithm %u: choose one that 'virsh vol-wipe --help' lists"),
                   algorithm);
    return -1;
}


virStorageVolWipePlan
virStorageVolWipePlanForVolume(virStorageVolDef *vol)
{
    if (virStorageVolIsRawData(vol))
        return VIR_STORAGE_VOL_WIPE_PLAN_DATA;

    switch ((virStorageFileFormat) vol->target.format) {
    case VIR_STORAGE_FILE_NONE:
    case VIR_STORAGE_FILE_RAW:
    case VIR_STORAGE_FILE_BOCHS:
    case VIR_STORAGE_FILE_CLOOP:
    case VIR_STORAGE_FILE_DMG:
    case VIR_STORAGE_FILE_ISO:
    case VIR_STORAGE_FILE_FAT:
    case VIR_STORAGE_FILE_VHD:
    case VIR_STORAGE_FILE_COW:
        /* raw data, or read-only formats qemu-img cannot create */
        return VIR_STORAGE_VOL_WIPE_PLAN_DATA;
    case VIR_STORAGE_FILE_VPC:
    case VIR_STORAGE_FILE_VDI:
    case VIR_STORAGE_FILE_QCOW:
    case VIR_STORAGE_FILE_QCOW2:
    case VIR_STORAGE_FILE_QED:
    case VIR_STORAGE_FILE_VMDK:
        return VIR_STORAGE_VOL_WIPE_PLAN_RECREATE;
    case VIR_STORAGE_FILE_DIR:
    case VIR_STORAGE_FILE_PLOOP:
    case VIR_STORAGE_FILE_AUTO_SAFE:
    case VIR_STORAGE_FILE_AUTO:
    case VIR_STORAGE_FILE_LAST:
        break;
    }
    return VIR_STORAGE_VOL_WIPE_PLAN_REFUSE;
}


virStorageVolWipeOp
virStorageVolWipeOpForInode(virStorageVolWipeMethod method,
                            const struct stat *st)
{
    bool sparse = (unsigned long long)st->st_blocks * 512 <
                  (unsigned long long)st->st_size;

    switch (method) {
    case VIR_STORAGE_VOL_WIPE_METHOD_ZERO:
        if (S_ISBLK(st->st_mode))
            return VIR_STORAGE_VOL_WIPE_OP_BLKZEROOUT;
        return sparse ? VIR_STORAGE_VOL_WIPE_OP_PUNCH_HOLE
                      : VIR_STORAGE_VOL_WIPE_OP_ZERO_RANGE;
    case VIR_STORAGE_VOL_WIPE_METHOD_TRIM:
        if (S_ISBLK(st->st_mode))
            return VIR_STORAGE_VOL_WIPE_OP_BLKDISCARD;
        return VIR_STORAGE_VOL_WIPE_OP_PUNCH_HOLE;
    case VIR_STORAGE_VOL_WIPE_METHOD_SCRUB:
        break;
    }
    return VIR_STORAGE_VOL_WIPE_OP_SYNC;
}


virCommand *
virStorageVolWipeBuildScrub(const char *scrub,
                            const char *pattern)
{
    return virCommandNewArgList(scrub, "-f", "-S", "-p", pattern, "--", NULL);
}


/* scrub(1) writes the inode @fd is open on, through /dev/fd/N. */
static int
virStorageVolWipeByScrub(virStorageVolDef *vol, int fd, const char *pattern)
{
    g_autofree char *scrub = virFindFileInPath("scrub");
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *fdPath = NULL;

    if (!scrub) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("wiping volume '%s' with algorithm '%s' needs the scrub program: install scrub, or use the 'zero' algorithm"),
                       vol->name, pattern);
        return -1;
    }

    cmd = virStorageVolWipeBuildScrub(scrub, pattern);
    fdPath = virStorageVolCommandPassFD(cmd, fd);
    virCommandAddArg(cmd, fdPath);
    return virStorageCommandRun(cmd, _("scrub cannot wipe volume '%s' with algorithm '%s'"),
                                vol->name, pattern);
}


static int
virStorageVolWipeBlockRange(virStorageVolDef *vol, int fd, unsigned long request)
{
    unsigned long long size = 0;
    int rc;

    if ((rc = virStorageBlockDevSizeQuiet(fd, &size)) < 0) {
        virReportSystemError(-rc, _("cannot get the size of device '%s' of volume '%s'"),
                             vol->target.path, vol->name);
        return -1;
    }

    if (request == BLKZEROOUT)
        rc = virStorageBlockDevZeroOutQuiet(fd, 0, size);
    else
        rc = virStorageBlockDevDiscardQuiet(fd, 0, size);
    if (rc == 0)
        return 0;

    if (request == BLKZEROOUT &&
        (rc == -EOPNOTSUPP || rc == -ENOTTY || rc == -EINVAL)) {
        if ((rc = virStorageFileWriteZerosQuiet(fd, 0, size)) == 0)
            return 0;
    }

    if (request == BLKZEROOUT)
        virReportSystemError(-rc, _("cannot zero out device '%s' of volume '%s'"),
                             vol->target.path, vol->name);
    else
        virReportSystemError(-rc, _("cannot discard the blocks of device '%s' of volume '%s': use the 'zero' algorithm if the device does not support discard"),
                             vol->target.path, vol->name);
    return -1;
}


static int
virStorageVolWipeRegularFile(virStorageVolDef *vol, int fd, const struct stat *st,
                             bool keepAllocation)
{
    int rc;

    VIR_DEBUG("zeroing '%s' (%lld bytes, keep allocation=%d)",
              vol->target.path, (long long)st->st_size, keepAllocation);

    if ((rc = virStorageFileZeroRangeQuiet(fd, 0, st->st_size,
                                           keepAllocation)) < 0) {
        virReportSystemError(-rc, _("cannot zero volume '%s' at '%s'"),
                             vol->name, vol->target.path);
        return -1;
    }
    return 0;
}


/* Zeroes or trims the volume open as @fd (inode @st). */
static int
virStorageVolWipeData(virStorageVolDef *vol, int fd, const struct stat *st,
                      virStorageVolWipeMethod method)
{
    int rc = 0;

    switch (virStorageVolWipeOpForInode(method, st)) {
    case VIR_STORAGE_VOL_WIPE_OP_BLKZEROOUT:
        rc = virStorageVolWipeBlockRange(vol, fd, BLKZEROOUT);
        break;
    case VIR_STORAGE_VOL_WIPE_OP_BLKDISCARD:
        rc = virStorageVolWipeBlockRange(vol, fd, BLKDISCARD);
        break;
    case VIR_STORAGE_VOL_WIPE_OP_ZERO_RANGE:
        rc = virStorageVolWipeRegularFile(vol, fd, st, true);
        break;
    case VIR_STORAGE_VOL_WIPE_OP_PUNCH_HOLE:
        rc = virStorageVolWipeRegularFile(vol, fd, st, false);
        break;
    case VIR_STORAGE_VOL_WIPE_OP_SYNC:
        break;
    }
    if (rc < 0)
        return -1;

    if (virFileDataSync(fd) < 0) {
        virReportSystemError(errno, _("cannot sync volume '%s' at '%s'"),
                             vol->name, vol->target.path);
        return -1;
    }
    return 0;
}


/*
 * The backing store a wiped image is created again with: the one this
 * daemon built the volume with, checked again, never the name the probe
 * read from the header (a guest may have written it).  *@backing is
 * NULL when there is none.  Called before anything is wiped.
 */
static int
virStorageVolWipeRecreateBacking(virStoragePoolDef *def,
                                 virStorageVolDef *vol,
                                 virStorageSource **backing)
{
    g_autoptr(virStorageSource) known = virStorageVolBackingRecall(vol);

    *backing = NULL;
    if (!known) {
        if (virStorageSourceHasBacking(&vol->target))
            VIR_INFO("volume '%s' of pool '%s' is created again without the backing store '%s' its header names",
                     vol->name, def->name, vol->target.backingStore->path);
        return 0;
    }

    if (virStorageVolBackingCheck(def, vol, known) < 0)
        return -1;

    *backing = g_steal_pointer(&known);
    return 0;
}


/* Create the wiped image container of @vol (open as @fd) again, empty,
 * with @backing. */
static int
virStorageVolWipeRecreateImage(virStorageVolDef *vol, int fd, virStorageSource *backing)
{
    virStorageVolDef view = *vol;

    view.target.backingStore = backing;
    if (virStorageVolFileCreateImage(&view, fd, 0) == 0)
        return 0;

    VIR_WARN("volume '%s' was wiped but its %s image was not created again; delete and recreate the volume",
             vol->name,
             NULLSTR(virStorageFileFormatTypeToString(vol->target.format)));
    return -1;
}


int
virStorageVolFileWipe(virStoragePoolObj *pool,
                      virStorageVolDef *vol,
                      unsigned int algorithm,
                      unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageSource) backing = NULL;
    virStorageVolWipeMethod method;
    virStorageVolWipePlan plan = virStorageVolWipePlanForVolume(vol);
    const char *pattern;
    VIR_AUTOCLOSE fd = -1;
    struct stat st;

    virCheckFlags(0, -1);

    if (virStorageVolWipeMethodForAlgorithm(algorithm, &method, &pattern) < 0)
        return -1;

    if (plan == VIR_STORAGE_VOL_WIPE_PLAN_REFUSE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' is a %s volume, which cannot be wiped: delete it instead"),
                       vol->name,
                       NULLSTR(virStorageFileFormatTypeToString(vol->target.format)));
        return -1;
    }

    VIR_DEBUG("wiping volume '%s' at '%s' with algorithm %u",
              vol->name, vol->target.path, algorithm);

    if (plan == VIR_STORAGE_VOL_WIPE_PLAN_RECREATE &&
        virStorageVolWipeRecreateBacking(def, vol, &backing) < 0)
        return -1;

    /* the inode the pool listed, never through a link, never a FIFO */
    if ((fd = virStorageVolOpen(def, vol, O_RDWR, &st)) < 0)
        return -1;

    if (method == VIR_STORAGE_VOL_WIPE_METHOD_SCRUB &&
        virStorageVolWipeByScrub(vol, fd, pattern) < 0)
        return -1;

    if (virStorageVolWipeData(vol, fd, &st, method) < 0)
        return -1;

    if (plan == VIR_STORAGE_VOL_WIPE_PLAN_RECREATE)
        return virStorageVolWipeRecreateImage(vol, fd, backing);

    return 0;
}
