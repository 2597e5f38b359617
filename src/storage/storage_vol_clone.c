/*
 * storage_vol_clone.c: cloning file volumes
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * vol-clone and vol-create-from land here (buildVolFrom), with the pool
 * unlocked and the new volume already "defined" by createVol.
 *
 * A raw volume cloned into a raw volume is copied by us:
 *  1. the file systems share the blocks (FICLONE) where they can, which
 *     is instant and takes no space on xfs and btrfs;
 *     VIR_STORAGE_VOL_CREATE_REFLINK makes that the only way: without
 *     block sharing the clone fails;
 *  2. else only the data extents of the source are copied
 *     (SEEK_DATA/SEEK_HOLE + copy_file_range), so the clone is as sparse
 *     as its source;
 *  3. a new capacity larger than the source's extends the clone; a
 *     smaller one is refused;
 *  4. when the new definition asks for an allocation at least as large
 *     as the source's capacity (the driver fills in allocation =
 *     capacity when the XML has none), that much is reserved with
 *     fallocate, without writing.
 * Anything else (another format, an image source, a backing store,
 * encryption) is a qemu-img convert, followed by a qemu-img resize when
 * the new capacity is larger.
 *
 * The source is opened as the entry its pool listed (never through a
 * link, never a FIFO); the new file is created with O_EXCL | O_NOFOLLOW
 * and the mode and owner of the new volume's XML; tools get both as
 * /dev/fd/N; whatever fails removes the new file, and only that inode.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "storage_vol_clone.h"
#include "storage_command.h"
#include "storage_vol_file.h"
#include "storage_vol_job.h"
#include "storage_file_extents.h"
#include "storage_vol_backing.h"
#include "storage_vol_open.h"
#include "storage_qemuimg.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_clone");

static bool
virStorageVolCloneIsPlainRaw(virStorageVolDef *vol)
{
    return (vol->target.format == VIR_STORAGE_FILE_RAW ||
            vol->target.format == VIR_STORAGE_FILE_NONE) &&
           !vol->target.encryption &&
           !virStorageSourceHasBacking(&vol->target);
}


/*
 * Opens the volume to copy: a block device of a disk or logical pool by
 * its path (links under /dev are the system's), a file as the entry of
 * its pool's directory, never followed, the inode its pool listed.
 */
int
virStorageVolFileOpenSource(virStoragePoolDef *def, virStorageVolDef *origvol,
                            struct stat *sb)
{
    g_autofree char *dir = g_path_get_dirname(origvol->target.path);
    virStoragePoolDef other = { 0 };

    if (origvol->type == VIR_STORAGE_VOL_BLOCK &&
        STRPREFIX(origvol->target.path, "/dev/"))
        return virStorageVolOpenBlock(def, origvol, O_RDONLY, sb);

    if (STREQ(dir, def->target.path))
        return virStorageVolOpenFile(def, origvol, O_RDONLY, sb);

    /* a volume of another pool, which the messages name by its directory */
    other.name = dir;
    other.target.path = dir;
    return virStorageVolOpenFile(&other, origvol, O_RDONLY, sb);
}


/* Bytes of data the raw source holds: its file size. */
static int
virStorageVolCloneSourceLength(virStorageVolDef *origvol, int srcfd,
                               unsigned long long *length, bool *isFile)
{
    struct stat st;

    if (fstat(srcfd, &st) < 0) {
        virReportSystemError(errno, _("cannot read the size of volume '%s' at '%s'"),
                             origvol->name, origvol->target.path);
        return -1;
    }
    *isFile = S_ISREG(st.st_mode);
    *length = *isFile ? (unsigned long long) st.st_size
                      : origvol->target.capacity;
    return 0;
}


/* Blocks shared with the source, or its data extents copied. */
static int
virStorageVolCloneRawData(virStorageVolDef *origvol, virStorageVolDef *newvol,
                          int srcfd, int dstfd, unsigned long long length, bool isFile,
                          bool reflinkOnly)
{
    int rc = -EOPNOTSUPP;

    if (isFile && (rc = virStorageFileReflinkQuiet(dstfd, srcfd)) == 0) {
        VIR_DEBUG("'%s' shares the blocks of '%s'",
                  newvol->target.path, origvol->target.path);
        return 0;
    }

    if (reflinkOnly) {
        virReportSystemError(-rc,
                             _("cannot clone volume '%s' to '%s' by sharing blocks (reflink); put both on one xfs or btrfs file system, or clone without --reflink"),
                             origvol->name, newvol->name);
        return -1;
    }

    VIR_DEBUG("reflink of '%s' failed (%s), copying its data",
              origvol->target.path, g_strerror(-rc));

    if (ftruncate(dstfd, length) < 0) {
        virReportSystemError(errno, _("cannot set the size of volume '%s'"),
                             newvol->name);
        return -1;
    }

    if ((rc = virStorageFileCopyDataQuiet(srcfd, dstfd, length)) < 0) {
        virReportSystemError(-rc,
                             _("cannot copy volume '%s' into volume '%s'"),
                             origvol->name, newvol->name);
        return -1;
    }
    return 0;
}


/* Reserve the allocation the new definition asks for, without writing. */
static int
virStorageVolCloneReserve(virStorageVolDef *origvol, virStorageVolDef *newvol, int dstfd)
{
    unsigned long long reserve = MIN(newvol->target.allocation,
                                     newvol->target.capacity);

    /* a smaller allocation than the source's size means "sparse" */
    if (reserve == 0 || reserve < origvol->target.capacity)
        return 0;

    if (fallocate(dstfd, 0, 0, reserve) == 0)
        return 0;
    if (errno == EOPNOTSUPP || errno == ENOSYS) {
        VIR_DEBUG("no fallocate on '%s': the clone stays sparse",
                  newvol->target.path);
        return 0;
    }
    virReportSystemError(errno, _("cannot allocate %llu bytes for volume '%s'"),
                         reserve, newvol->name);
    return -1;
}


static int
virStorageVolCloneRawCheck(virStorageVolDef *origvol, virStorageVolDef *newvol,
                           int srcfd, unsigned long long *length, bool *isFile,
                           unsigned int flags)
{
    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("raw volume '%s' has no metadata to preallocate: drop --prealloc-metadata"),
                       newvol->name);
        return -1;
    }

    if (virStorageVolCloneSourceLength(origvol, srcfd, length, isFile) < 0)
        return -1;

    if (*length > newvol->target.capacity) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' holds %llu bytes, more than the capacity %llu of its clone '%s': give the clone a larger capacity"),
                       origvol->name, *length, newvol->target.capacity,
                       newvol->name);
        return -1;
    }
    return 0;
}


static int
virStorageVolCloneRaw(virStorageVolDef *origvol,
                      virStorageVolDef *newvol,
                      int srcfd,
                      int dstfd,
                      unsigned long long length,
                      bool isFile,
                      unsigned int flags)
{
    if (virStorageVolCloneRawData(origvol, newvol, srcfd, dstfd, length, isFile,
                                  flags & VIR_STORAGE_VOL_CREATE_REFLINK) < 0)
        return -1;

    if (ftruncate(dstfd, newvol->target.capacity) < 0) {
        virReportSystemError(errno, _("cannot extend volume '%s' to %llu bytes"),
                             newvol->name, newvol->target.capacity);
        return -1;
    }

    if (virStorageVolCloneReserve(origvol, newvol, dstfd) < 0)
        return -1;

    if (g_fsync(dstfd) < 0) {
        virReportSystemError(errno, _("cannot write volume '%s' to disk"),
                             newvol->name);
        return -1;
    }
    return 0;
}


static int
virStorageVolCloneByQemuImgCheck(virStorageVolDef *origvol, virStorageVolDef *newvol,
                                 unsigned int flags)
{
    if (flags & VIR_STORAGE_VOL_CREATE_REFLINK) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' can share blocks (reflink) only with a raw clone of the same format; drop --reflink to convert it to '%s'"),
                       origvol->name, newvol->name);
        return -1;
    }

    if (origvol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot clone encrypted volume '%s': copying encrypted images is not supported; create the volume and copy the data inside the guest"),
                       origvol->name);
        return -1;
    }
    return 0;
}


/*
 * qemu-img convert from the source open as @srcfd into the new file open
 * as @dstfd.  The source is given as a json: name whose backing chain is
 * explicit: each backing store its headers name must be a volume of an
 * active pool (no link on its path) and is opened by us; qemu-img opens
 * nothing by a name a header gives.
 */
static int
virStorageVolCloneByQemuImg(virStoragePoolDef *def,
                            virStorageVolDef *origvol,
                            virStorageVolDef *newvol,
                            int srcfd,
                            int dstfd,
                            unsigned int flags)
{
    g_auto(virStorageVolQemuImg) img = { 0 };
    g_autoptr(virCommand) convert = NULL;
    g_autoptr(virCommand) resize = NULL;
    g_autoptr(GArray) fds = virStorageVolBackingFDsNew();
    g_autofree char *inSpec = NULL;
    g_autofree char *outPath = g_strdup_printf("/dev/fd/%d", dstfd);
    int inFormat = origvol->type == VIR_STORAGE_VOL_BLOCK ?
                   VIR_STORAGE_FILE_RAW : origvol->target.format;
    virStorageVolDef inView;
    virStorageVolDef outView;

    if (virStorageVolQemuImgInit(&img, newvol) < 0)
        return -1;

    if (!(inSpec = virStorageVolBackingImageSpec(def, origvol, srcfd, inFormat,
                                                 true, fds)))
        return -1;

    inView = *origvol;
    inView.target.path = inSpec;
    outView = *newvol;
    outView.target.path = outPath;

    if (!(convert = virStorageQemuImgBuildConvert(img.binary, &outView, &inView,
                                                  img.secretPath, flags)))
        return -1;
    virCommandPassFD(convert, srcfd, 0);
    virCommandPassFD(convert, dstfd, 0);
    virStorageVolBackingPassFDs(convert, fds);
    if (virStorageCommandRun(convert, _("qemu-img cannot copy volume '%s' into volume '%s' of pool '%s'"),
                             origvol->name, newvol->name, def->name) < 0)
        return -1;

    if (newvol->target.capacity <= origvol->target.capacity)
        return 0;

    if (!(resize = virStorageQemuImgBuildResize(img.binary, &outView,
                                                newvol->target.capacity,
                                                false, false,
                                                img.secretPath)))
        return -1;
    virCommandPassFD(resize, dstfd, 0);
    return virStorageCommandRun(resize, _("qemu-img cannot grow clone '%s' of pool '%s' to %llu bytes"),
                                newvol->name, def->name, newvol->target.capacity);
}


/*
 * The driver calls buildVolFrom with the NEW volume first and the volume
 * to copy second, whatever the parameter names of the typedef in
 * storage_backend.h say (storageVolCreateXMLFrom passes the shadow copy
 * of the new definition, then the source).
 */
int
virStorageVolFileBuildFrom(virStoragePoolObj *pool,
                           virStorageVolDef *shared,
                           virStorageVolDef *origvol,
                           unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autoptr(virStorageVolDef) newvol = NULL;
    VIR_AUTOCLOSE dirFd = -1;
    VIR_AUTOCLOSE srcfd = -1;
    VIR_AUTOCLOSE dstfd = -1;
    unsigned long long length = 0;
    bool isFile = false;
    bool plainRaw;
    struct stat srcsb;
    struct stat made;
    int rc;

    virCheckFlags(VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                  VIR_STORAGE_VOL_CREATE_REFLINK, -1);

    /* the driver's shadow copy shares its pointers with the pool's
     * definition: build from our own (storage_vol_job.h); @origvol is
     * in use, so no refresh changes it meanwhile */
    if (!(newvol = virStorageVolJobDefCopy(pool, shared)))
        return -1;

    if (origvol->target.format == VIR_STORAGE_FILE_DIR ||
        origvol->target.format == VIR_STORAGE_FILE_PLOOP ||
        newvol->target.format == VIR_STORAGE_FILE_DIR ||
        newvol->target.format == VIR_STORAGE_FILE_PLOOP) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot clone volume '%s' into '%s': directory and ploop volumes cannot be cloned"),
                       origvol->name, newvol->name);
        return -1;
    }

    if (newvol->target.capacity < origvol->target.capacity) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("the capacity %llu of clone '%s' is smaller than the capacity %llu of volume '%s': give the clone at least the capacity of the volume"),
                       newvol->target.capacity, newvol->name,
                       origvol->target.capacity, origvol->name);
        return -1;
    }

    if ((dirFd = virStorageVolOpenPoolDir(def)) < 0)
        return -1;

    /* the inode the source's pool listed, never through a link */
    if ((srcfd = virStorageVolFileOpenSource(def, origvol, &srcsb)) < 0)
        return -1;

    VIR_DEBUG("cloning '%s' into '%s' (flags=0x%x)",
              origvol->target.path, newvol->target.path, flags);

    plainRaw = virStorageVolCloneIsPlainRaw(origvol) && virStorageVolCloneIsPlainRaw(newvol);
    if (plainRaw) {
        if (virStorageVolCloneRawCheck(origvol, newvol, srcfd, &length, &isFile, flags) < 0)
            return -1;
    } else if (virStorageVolCloneByQemuImgCheck(origvol, newvol, flags) < 0) {
        return -1;
    }

    /* O_EXCL | O_NOFOLLOW: the file is ours, with the new volume's mode
     * and owner, before a byte is written */
    if ((dstfd = virStorageVolFileCreateFile(def, dirFd, newvol, &made)) < 0)
        return -1;

    if (plainRaw)
        rc = virStorageVolCloneRaw(origvol, newvol, srcfd, dstfd, length, isFile, flags);
    else
        rc = virStorageVolCloneByQemuImg(def, origvol, newvol, srcfd, dstfd, flags);

    if (rc == 0 && VIR_CLOSE(dstfd) < 0) {
        virReportSystemError(errno, _("cannot write volume '%s' to disk"),
                             newvol->name);
        rc = -1;
    }

    if (rc == 0)
        rc = virStorageVolFileCheckMade(def, dirFd, newvol, &made);

    if (rc < 0) {
        virStorageVolFileRemoveMade(def, dirFd, newvol, &made);
        return -1;
    }

    virStorageVolIdentityRemember(newvol->key, &made);
    return 0;
}
