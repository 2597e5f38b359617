/*
 * storage_vol_probe.c: reading what a volume file is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One open (never through a link, see storage_vol_open.h), one fstat and,
 * for regular files, one read of the image header: that is all a pool
 * refresh pays per volume.  The header is the guest's: the backing file
 * it names is reported by name only, never opened nor stat'ed.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "storage_vol_probe.h"
#include "storage_vol_open.h"
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


/* The backing store as the image header names it, and nothing more: the
 * header is written by the guest, so the file it names is never opened
 * nor stat'ed (a FIFO would hang the refresh, a root-only file would show
 * its mode and owner).  The format is the one the header names, else raw;
 * a relative name is shown next to the volume, as qemu would read it. */
static void
virStorageVolProbeBacking(virStorageSource *target,
                          virStorageSource *meta)
{
    g_autoptr(virStorageSource) backing = NULL;
    const char *raw = meta->backingStoreRaw;

    if (*raw == '/') {
        backing = virStorageSourceNew();
        backing->type = VIR_STORAGE_TYPE_FILE;
        backing->path = g_strdup(raw);
    } else if (strchr(raw, ':')) {
        /* a URI, json: or protocol:... source, shown as the header says */
        backing = virStorageSourceNew();
        backing->type = VIR_STORAGE_TYPE_NETWORK;
        backing->path = g_strdup(raw);
    } else {
        g_autofree char *dir = g_path_get_dirname(target->path);

        backing = virStorageSourceNew();
        backing->type = VIR_STORAGE_TYPE_FILE;
        backing->path = g_build_filename(dir, raw, NULL);
        backing->relPath = g_strdup(raw);
    }

    backing->format = meta->backingStoreRawFormat > VIR_STORAGE_FILE_NONE ?
                      meta->backingStoreRawFormat : VIR_STORAGE_FILE_RAW;
    backing->readonly = true;

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
        unsigned long long payload;

        /* the LUKS header is the guest's: its payload offset (512-byte
         * sectors, a 32-bit field libvirt reads into an int, -1 when the
         * format has none) must lie inside the volume, counted in 64 bits */
        if (meta->encryption->payload_offset < -1)
            return -EINVAL;
        if (meta->encryption->payload_offset > 0) {
            payload = (unsigned long long) meta->encryption->payload_offset * 512;
            if (payload > target->capacity)
                return -EINVAL;
            target->capacity -= payload;
        }
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
                             int fd)
{
    off_t end;

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
                            int fd,
                            const struct stat *sb)
{
    vol->type = VIR_STORAGE_VOL_FILE;
    vol->target.type = VIR_STORAGE_TYPE_FILE;
    vol->target.capacity = sb->st_size;
    vol->target.physical = sb->st_size;
    vol->target.allocation = (unsigned long long) sb->st_blocks * 512;

    return virStorageVolProbeImageQuiet(vol, fd);
}


/* Fills @vol from the descriptor @fd, open on the inode @sb. */
static int
virStorageVolProbeFdQuiet(virStorageVolDef *vol,
                          int fd,
                          const struct stat *sb)
{
    virStorageVolProbeFillStat(&vol->target, sb);

    if (S_ISREG(sb->st_mode))
        return virStorageVolProbeFileQuiet(vol, fd, sb);

    if (S_ISDIR(sb->st_mode)) {
        vol->type = VIR_STORAGE_VOL_DIR;
        vol->target.type = VIR_STORAGE_TYPE_DIR;
        vol->target.format = VIR_STORAGE_FILE_DIR;
        vol->target.capacity = sb->st_size;
        vol->target.allocation = (unsigned long long) sb->st_blocks * 512;
        return 0;
    }

    if (S_ISBLK(sb->st_mode))
        return virStorageVolProbeBlockQuiet(vol, fd);

    return -ENOTSUP;
}


int
virStorageVolProbeBackingQuiet(const char *path,
                               int fd,
                               int *format,
                               char **backing,
                               int *backingFormat)
{
    g_autoptr(virStorageSource) meta = NULL;
    const char *raw;
    int err = 0;

    if (!(meta = virStorageVolProbeHeaderQuiet(path, fd,
                                               VIR_STORAGE_VOL_PROBE_SHORT_HEADER,
                                               &err)))
        return err;

    *format = meta->format;
    *backing = NULL;
    *backingFormat = meta->backingStoreRawFormat;

    if (!(raw = meta->backingStoreRaw))
        return 0;

    if (*raw == '/') {
        *backing = g_strdup(raw);
    } else if (strchr(raw, ':')) {
        *backing = g_strdup(raw);    /* not a local file: the caller refuses it */
    } else {
        g_autofree char *dir = g_path_get_dirname(path);

        *backing = g_build_filename(dir, raw, NULL);
    }
    return 0;
}


int
virStorageVolProbeAtQuiet(virStorageVolDef *vol,
                          int dirFd,
                          const char *name,
                          struct stat *sb)
{
    VIR_AUTOCLOSE fd = -1;

    /* links are not followed (-ELOOP); sockets, FIFOs and character
     * devices are not volumes and are never opened (-ENOTSUP) */
    if ((fd = virStorageVolOpenAtQuiet(dirFd, name, O_RDONLY,
                                       VIR_STORAGE_VOL_OPEN_REG |
                                       VIR_STORAGE_VOL_OPEN_DIR |
                                       VIR_STORAGE_VOL_OPEN_BLOCK,
                                       NULL, sb)) < 0)
        return fd;

    return virStorageVolProbeFdQuiet(vol, fd, sb);
}


int
virStorageVolProbe(virStoragePoolDef *def,
                   virStorageVolDef *vol)
{
    VIR_AUTOCLOSE fd = -1;
    struct stat sb;
    int rc;

    if ((fd = virStorageVolOpenFile(def, vol, O_RDONLY, &sb)) < 0)
        return -1;

    rc = virStorageVolProbeFdQuiet(vol, fd, &sb);
    if (rc == -EINVAL) {
        virReportError(VIR_ERR_STORAGE_PROBE_FAILED,
                       _("cannot read the image header of volume '%s' of pool '%s' at '%s'"),
                       vol->name, def->name, vol->target.path);
        return -1;
    }
    if (rc < 0) {
        virReportSystemError(-rc, _("cannot probe volume '%s' of pool '%s' at '%s'"),
                             vol->name, def->name, vol->target.path);
        return -1;
    }
    return 0;
}
