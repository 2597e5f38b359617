/*
 * storage_vol_probe.c: reading what a volume file is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One stat and, for regular files, one read of the image header: that is
 * all a pool refresh pays per volume.  Backing files are stat'ed for their
 * permissions but never opened unless their format must be probed.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "storage_vol_probe.h"
#include "storage_source.h"
#include "storage_file_probe.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virendian.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_probe");


static void
virStorageVolProbeFillStat(virStorageSource *target,
                           const struct stat *sb)
{
    if (!target->perms)
        target->perms = g_new0(virStoragePerms, 1);
    target->perms->mode = sb->st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);
    target->perms->uid = sb->st_uid;
    target->perms->gid = sb->st_gid;

    if (!target->timestamps)
        target->timestamps = g_new0(virStorageTimestamps, 1);
    target->timestamps->atime = sb->st_atim;
    target->timestamps->mtime = sb->st_mtim;
    target->timestamps->ctime = sb->st_ctim;
    /* stat(2) has no birth time: mark it unknown */
    target->timestamps->btime.tv_sec = 0;
    target->timestamps->btime.tv_nsec = -1;
}


/* The backing store as the image header names it.  A missing or remote
 * backing file is still shown (as raw), never an error of the volume. */
static void
virStorageVolProbeBacking(virStorageSource *target,
                          virStorageSource *meta)
{
    g_autoptr(virStorageSource) backing = NULL;
    struct stat sb;

    if (virStorageSourceNewFromBacking(meta, &backing) < 0 ||
        !virStorageSourceIsLocalStorage(backing)) {
        virResetLastError();
        g_clear_pointer(&backing, virObjectUnref);
        backing = virStorageSourceNew();
        backing->type = VIR_STORAGE_TYPE_NETWORK;
        backing->path = g_strdup(meta->backingStoreRaw);
        backing->format = VIR_STORAGE_FILE_RAW;
    }

    if (backing->format == VIR_STORAGE_FILE_AUTO ||
        backing->format == VIR_STORAGE_FILE_NONE) {
        int fmt = virStorageFileProbeFormat(backing->path, -1, -1);

        if (fmt < 0) {
            VIR_WARN("cannot probe the format of backing file '%s' of '%s': shown as raw",
                     backing->path, target->path);
            virResetLastError();
            fmt = VIR_STORAGE_FILE_RAW;
        }
        backing->format = fmt;
    }

    if (virStorageSourceIsLocalStorage(backing) &&
        stat(backing->path, &sb) == 0) {
        backing->perms = g_new0(virStoragePerms, 1);
        backing->perms->mode = sb.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO);
        backing->perms->uid = sb.st_uid;
        backing->perms->gid = sb.st_gid;
    }

    g_clear_pointer(&target->backingStore, virObjectUnref);
    target->backingStore = g_steal_pointer(&backing);
}


/* Most image headers, and a qcow2 header with its extensions and backing
 * file name, fit in the first 4 KiB: reading the 33 KiB libvirt may look
 * at costs a refresh of thousands of files a quarter of its time. */
#define VIR_STORAGE_VOL_PROBE_SHORT_HEADER 4096

/* ISO 9660's magic stands at 0x8001, past the short header. */
#define VIR_STORAGE_VOL_PROBE_ISO_OFFSET 0x8001
#define VIR_STORAGE_VOL_PROBE_ISO_MAGIC "CD001"


/* Does the probe of the short header @buf (@len bytes, format @format)
 * need the full header?  A raw file may be an ISO image; a qcow2 backing
 * file name may lie past the short header; other formats are rare enough
 * to be read whole. */
static bool
virStorageVolProbeNeedsFullHeader(int fd,
                                  int format,
                                  const unsigned char *buf,
                                  ssize_t len)
{
    char magic[sizeof(VIR_STORAGE_VOL_PROBE_ISO_MAGIC) - 1];
    unsigned long long backing;
    unsigned int backingLen;

    if (len < VIR_STORAGE_VOL_PROBE_SHORT_HEADER)
        return false;           /* the whole file is in @buf */

    switch ((virStorageFileFormat) format) {
    case VIR_STORAGE_FILE_RAW:
        return pread(fd, magic, sizeof(magic),
                     VIR_STORAGE_VOL_PROBE_ISO_OFFSET) == sizeof(magic) &&
               memcmp(magic, VIR_STORAGE_VOL_PROBE_ISO_MAGIC, sizeof(magic)) == 0;
    case VIR_STORAGE_FILE_QCOW2:
        /* big-endian backing_file_offset at 8, backing_file_size at 16 */
        backing = virReadBufInt64BE(buf + 8);
        backingLen = virReadBufInt32BE(buf + 16);
        return backing + backingLen > (unsigned long long) len;
    case VIR_STORAGE_FILE_NONE:
    case VIR_STORAGE_FILE_AUTO:
    case VIR_STORAGE_FILE_AUTO_SAFE:
    case VIR_STORAGE_FILE_DIR:
    case VIR_STORAGE_FILE_BOCHS:
    case VIR_STORAGE_FILE_CLOOP:
    case VIR_STORAGE_FILE_DMG:
    case VIR_STORAGE_FILE_ISO:
    case VIR_STORAGE_FILE_VPC:
    case VIR_STORAGE_FILE_VDI:
    case VIR_STORAGE_FILE_PLOOP:
    case VIR_STORAGE_FILE_FAT:
    case VIR_STORAGE_FILE_VHD:
    case VIR_STORAGE_FILE_COW:
    case VIR_STORAGE_FILE_QCOW:
    case VIR_STORAGE_FILE_QED:
    case VIR_STORAGE_FILE_VMDK:
    case VIR_STORAGE_FILE_LAST:
        break;
    }
    return true;
}


/* qcow2: the version 2 header is 72 bytes, version 3 adds fields up to
 * byte 104; clusters are 512 bytes to 2 MiB (what qemu opens). */
#define VIR_STORAGE_VOL_PROBE_QCOW2_V2_HEADER 72
#define VIR_STORAGE_VOL_PROBE_QCOW2_V3_HEADER 104
#define VIR_STORAGE_VOL_PROBE_QCOW2_MIN_CLUSTER_BITS 9
#define VIR_STORAGE_VOL_PROBE_QCOW2_MAX_CLUSTER_BITS 21


/* Does the header in @buf (@len bytes read from the start of the file),
 * probed as @meta, hold together?  libvirt's probe trusts any file that
 * starts with a known magic, even when the header stops after it or its
 * sizes are garbage. */
static bool
virStorageVolProbeHeaderIsSane(virStorageSource *meta,
                               const unsigned char *buf,
                               ssize_t len)
{
    unsigned int version;
    unsigned int clusterBits;

    if (meta->capacity > (unsigned long long) LLONG_MAX)
        return false;

    if (meta->format != VIR_STORAGE_FILE_QCOW2)
        return true;

    if (len < VIR_STORAGE_VOL_PROBE_QCOW2_V2_HEADER)
        return false;

    version = virReadBufInt32BE(buf + 4);
    if (version >= 3 && len < VIR_STORAGE_VOL_PROBE_QCOW2_V3_HEADER)
        return false;

    clusterBits = virReadBufInt32BE(buf + 20);
    return clusterBits >= VIR_STORAGE_VOL_PROBE_QCOW2_MIN_CLUSTER_BITS &&
           clusterBits <= VIR_STORAGE_VOL_PROBE_QCOW2_MAX_CLUSTER_BITS;
}


static virStorageSource *
virStorageVolProbeHeaderQuiet(const char *path,
                              int fd,
                              size_t size,
                              int *err)
{
    g_autofree char *buf = g_new0(char, size);
    virStorageSource *meta;
    ssize_t len;

    if ((len = pread(fd, buf, size, 0)) < 0) {
        *err = -errno;
        return NULL;
    }

    if (!(meta = virStorageSourceGetMetadataFromBuf(path, buf, len,
                                                    VIR_STORAGE_FILE_AUTO))) {
        virResetLastError();
        *err = -EINVAL;
        return NULL;
    }

    if (size < VIR_STORAGE_MAX_HEADER &&
        virStorageVolProbeNeedsFullHeader(fd, meta->format,
                                          (unsigned char *) buf, len)) {
        virObjectUnref(meta);
        return virStorageVolProbeHeaderQuiet(path, fd, VIR_STORAGE_MAX_HEADER,
                                             err);
    }

    if (!virStorageVolProbeHeaderIsSane(meta, (unsigned char *) buf, len)) {
        virObjectUnref(meta);
        *err = -EINVAL;
        return NULL;
    }
    return meta;
}


/* The image header says whether and how the volume is encrypted, never
 * which secret opens it: the secrets of the volume's definition, if it
 * has some, stay. */
static void
virStorageVolProbeTakeEncryption(virStorageSource *target,
                                 virStorageEncryption *found)
{
    virStorageEncryption *known = target->encryption;

    if (known && known->nsecrets > 0 && found->nsecrets == 0) {
        found->secrets = g_steal_pointer(&known->secrets);
        found->nsecrets = known->nsecrets;
        known->nsecrets = 0;
    }

    virStorageEncryptionFree(known);
    target->encryption = found;
}


/* Reads the header of the regular file @fd and takes its format,
 * capacity, encryption, features and backing store. */
static int
virStorageVolProbeImageQuiet(virStorageVolDef *vol,
                             int fd)
{
    virStorageSource *target = &vol->target;
    g_autoptr(virStorageSource) meta = NULL;
    int err = 0;

    if (!(meta = virStorageVolProbeHeaderQuiet(target->path, fd,
                                               VIR_STORAGE_VOL_PROBE_SHORT_HEADER,
                                               &err)))
        return err;

    target->format = meta->format;
    if (meta->capacity)
        target->capacity = meta->capacity;
    if (meta->clusterSize)
        target->clusterSize = meta->clusterSize;

    if (meta->encryption) {
        if (meta->encryption->payload_offset > 0)
            target->capacity -= meta->encryption->payload_offset * 512;
        virStorageVolProbeTakeEncryption(target,
                                         g_steal_pointer(&meta->encryption));
    }

    virBitmapFree(target->features);
    target->features = g_steal_pointer(&meta->features);
    if (meta->compat) {
        g_free(target->compat);
        target->compat = g_steal_pointer(&meta->compat);
    }

    if (meta->backingStoreRaw)
        virStorageVolProbeBacking(target, meta);

    return 0;
}


static int
virStorageVolProbeBlockQuiet(virStorageVolDef *vol,
                             int dirFd,
                             const char *name)
{
    VIR_AUTOCLOSE fd = -1;
    off_t end;

    if ((fd = openat(dirFd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0)
        return -errno;
    if ((end = lseek(fd, 0, SEEK_END)) < 0)
        return -errno;

    vol->type = VIR_STORAGE_VOL_BLOCK;
    vol->target.type = VIR_STORAGE_TYPE_BLOCK;
    vol->target.format = VIR_STORAGE_FILE_RAW;
    vol->target.capacity = end;
    vol->target.allocation = end;
    vol->target.physical = end;
    return 0;
}


static int
virStorageVolProbeFileQuiet(virStorageVolDef *vol,
                            int dirFd,
                            const char *name,
                            const struct stat *sb)
{
    VIR_AUTOCLOSE fd = -1;
    int rc;

    vol->type = VIR_STORAGE_VOL_FILE;
    vol->target.type = VIR_STORAGE_TYPE_FILE;
    vol->target.capacity = sb->st_size;
    vol->target.physical = sb->st_size;
    vol->target.allocation = (unsigned long long) sb->st_blocks * 512;

    if ((fd = openat(dirFd, name,
                     O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0)
        return -errno;

    if ((rc = virStorageVolProbeImageQuiet(vol, fd)) < 0)
        return rc;

    return 0;
}


int
virStorageVolProbeAtQuiet(virStorageVolDef *vol,
                          int dirFd,
                          const char *name)
{
    struct stat sb;

    if (fstatat(dirFd, name, &sb, 0) < 0)
        return -errno;

    virStorageVolProbeFillStat(&vol->target, &sb);

    if (S_ISREG(sb.st_mode))
        return virStorageVolProbeFileQuiet(vol, dirFd, name, &sb);

    if (S_ISDIR(sb.st_mode)) {
        vol->type = VIR_STORAGE_VOL_DIR;
        vol->target.type = VIR_STORAGE_TYPE_DIR;
        vol->target.format = VIR_STORAGE_FILE_DIR;
        vol->target.capacity = sb.st_size;
        vol->target.allocation = (unsigned long long) sb.st_blocks * 512;
        return 0;
    }

    if (S_ISBLK(sb.st_mode))
        return virStorageVolProbeBlockQuiet(vol, dirFd, name);

    /* sockets, fifos and character devices are not volumes: opening
     * some of them has side effects */
    return -ENOTSUP;
}


int
virStorageVolProbeQuiet(virStorageVolDef *vol)
{
    return virStorageVolProbeAtQuiet(vol, AT_FDCWD, vol->target.path);
}


int
virStorageVolProbe(virStorageVolDef *vol)
{
    int rc = virStorageVolProbeQuiet(vol);

    if (rc == -EINVAL) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       _("cannot read the image header of volume '%s' at '%s'"),
                       vol->name, vol->target.path);
        return -1;
    }
    if (rc == -ENOTSUP) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' of volume '%s' is neither a file, a directory nor a block device"),
                       vol->target.path, vol->name);
        return -1;
    }
    if (rc < 0) {
        virReportSystemError(-rc, _("cannot probe volume '%s' at '%s'"),
                             vol->name, vol->target.path);
        return -1;
    }
    return 0;
}
