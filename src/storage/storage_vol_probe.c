/*
 * storage_vol_probe.c: reading what a volume file is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One open (never through a link, see storage_vol_open.h), one fstat and,
 * for regular files, one read of the image header: that is all a pool
 * refresh pays per volume.  The data flows one way:
 *
 *   descriptor --probe--> virStorageVolProbeResult --apply--> volume XML
 *
 * The probe decodes the header with libvirt's format prober (exported by
 * libvirt.so.0), then checks on the same bytes that the fields the result
 * depends on hold together, since the header is the guest's:
 *
 *   - a capacity past 2^63 - 1 (the largest a file or device can have);
 *   - a qcow or qcow2 header shorter than its version's fixed part, a
 *     qcow2 cluster size qemu would not open (512 B to 2 MiB), a QED
 *     header shorter than its fixed part;
 *   - a backing file name (qcow, qcow2, QED) longer than qemu reads
 *     (1023 bytes), or lying past the end of the file or past the part
 *     of the header the probe reads (libvirt's prober then shows the
 *     image with no backing file at all, while qemu may read one);
 *   - a LUKS1 header cut before its payload offset, or whose payload
 *     offset (512-byte sectors, counted in 64 bits) lies past the end of
 *     the file or device.
 *
 * An image that fails one is refused (-EINVAL): a refresh logs and skips
 * it.  The backing file a header names is reported by name only, never
 * opened nor stat'ed (a FIFO there would hang the refresh, a root-only
 * file would show its mode and owner).
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


/* Most image headers, and a qcow2 header with its extensions and backing
 * file name, fit in the first 4 KiB: reading the 33 KiB libvirt may look
 * at costs a refresh of thousands of files a quarter of its time. */
#define VIR_PROBE_SHORT_HEADER 4096

/* ISO 9660's magic stands at 0x8001, past the short header. */
#define VIR_PROBE_ISO_MAGIC_AT 0x8001
#define VIR_PROBE_ISO_MAGIC "CD001"

/* qcow (version 1) and qcow2 headers, big-endian (qemu's
 * docs/interop/qcow2.txt; qcow 1 shares the first four fields) */
#define VIR_PROBE_QCOW_VERSION_AT 4             /* u32 */
#define VIR_PROBE_QCOW_BACKING_OFFSET_AT 8      /* u64: where the name is */
#define VIR_PROBE_QCOW_BACKING_SIZE_AT 16       /* u32: its length */
#define VIR_PROBE_QCOW2_CLUSTER_BITS_AT 20      /* u32 */
#define VIR_PROBE_QCOW1_HEADER_SIZE 48
#define VIR_PROBE_QCOW2_V2_HEADER_SIZE 72
#define VIR_PROBE_QCOW2_V3_HEADER_SIZE 104
/* clusters qemu opens: 512 bytes to 2 MiB */
#define VIR_PROBE_QCOW2_MIN_CLUSTER_BITS 9
#define VIR_PROBE_QCOW2_MAX_CLUSTER_BITS 21
/* the longest backing file name qemu reads from a qcow, qcow2 or QED
 * header */
#define VIR_PROBE_BACKING_NAME_MAX 1023

/* QED header, little-endian (qemu's docs/interop/qed_spec.txt) */
#define VIR_PROBE_QED_FEATURES_AT 16            /* u64 */
#define VIR_PROBE_QED_FEATURE_BACKING_FILE 0x1
#define VIR_PROBE_QED_BACKING_OFFSET_AT 56      /* u32 */
#define VIR_PROBE_QED_BACKING_SIZE_AT 60        /* u32 */
#define VIR_PROBE_QED_HEADER_SIZE 64

/* LUKS1 header, big-endian (cryptsetup's LUKS1 on-disk format) */
#define VIR_PROBE_LUKS1_PAYLOAD_AT 104          /* u32: 512-byte sectors */
#define VIR_PROBE_LUKS1_SECTOR 512


void
virStorageVolProbeResultClear(virStorageVolProbeResult *result)
{
    g_clear_pointer(&result->compat, g_free);
    g_clear_pointer(&result->features, virBitmapFree);
    g_clear_pointer(&result->encryption, virStorageEncryptionFree);
    g_clear_pointer(&result->backingName, g_free);
    g_clear_pointer(&result->backingPath, g_free);
    memset(result, 0, sizeof(*result));
}


/* The image header read from the start of a file: @len bytes in @buf
 * (all of the file when it is shorter than what was asked for). */
typedef struct {
    unsigned char *buf;
    size_t len;
    unsigned long long fileSize;    /* of the file or device */
} virStorageVolProbeHeader;

static void
virStorageVolProbeHeaderClear(virStorageVolProbeHeader *hdr)
{
    g_clear_pointer(&hdr->buf, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virStorageVolProbeHeader,
                                 virStorageVolProbeHeaderClear);


/* Where the backing file name of a qcow or qcow2 header @hdr (at least
 * VIR_PROBE_QCOW1_HEADER_SIZE bytes) lies: @size 0 when it names none. */
static void
virStorageVolProbeQcowBacking(const virStorageVolProbeHeader *hdr,
                              unsigned long long *offset,
                              unsigned long long *size)
{
    *offset = virReadBufInt64BE(hdr->buf + VIR_PROBE_QCOW_BACKING_OFFSET_AT);
    *size = virReadBufInt32BE(hdr->buf + VIR_PROBE_QCOW_BACKING_SIZE_AT);
    if (*offset == 0)
        *size = 0;
}


/* The same for a QED header (at least VIR_PROBE_QED_HEADER_SIZE bytes). */
static void
virStorageVolProbeQedBacking(const virStorageVolProbeHeader *hdr,
                             unsigned long long *offset,
                             unsigned long long *size)
{
    *offset = 0;
    *size = 0;
    if (!(virReadBufInt64LE(hdr->buf + VIR_PROBE_QED_FEATURES_AT) &
          VIR_PROBE_QED_FEATURE_BACKING_FILE))
        return;
    *offset = virReadBufInt32LE(hdr->buf + VIR_PROBE_QED_BACKING_OFFSET_AT);
    *size = virReadBufInt32LE(hdr->buf + VIR_PROBE_QED_BACKING_SIZE_AT);
}


/* Does a backing file name of @size bytes at @offset (@size 0: none) lie
 * whole inside the header read, with a length qemu would read? */
static bool
virStorageVolProbeBackingFits(const virStorageVolProbeHeader *hdr,
                              unsigned long long offset,
                              unsigned long long size)
{
    if (size == 0)
        return true;
    return size <= VIR_PROBE_BACKING_NAME_MAX &&
           offset <= hdr->len &&
           size <= hdr->len - offset;
}


/* Does the qcow (@format VIR_STORAGE_FILE_QCOW) or qcow2 header @hdr
 * hold together? */
static bool
virStorageVolProbeQcowIsSane(const virStorageVolProbeHeader *hdr,
                             int format)
{
    unsigned long long offset;
    unsigned long long size;
    unsigned int version;
    unsigned int clusterBits;

    if (hdr->len < VIR_PROBE_QCOW1_HEADER_SIZE)
        return false;
    version = virReadBufInt32BE(hdr->buf + VIR_PROBE_QCOW_VERSION_AT);

    if (format == VIR_STORAGE_FILE_QCOW2) {
        if (hdr->len < VIR_PROBE_QCOW2_V2_HEADER_SIZE ||
            (version >= 3 && hdr->len < VIR_PROBE_QCOW2_V3_HEADER_SIZE))
            return false;

        clusterBits = virReadBufInt32BE(hdr->buf + VIR_PROBE_QCOW2_CLUSTER_BITS_AT);
        if (clusterBits < VIR_PROBE_QCOW2_MIN_CLUSTER_BITS ||
            clusterBits > VIR_PROBE_QCOW2_MAX_CLUSTER_BITS)
            return false;
    }

    virStorageVolProbeQcowBacking(hdr, &offset, &size);
    return virStorageVolProbeBackingFits(hdr, offset, size);
}


static bool
virStorageVolProbeQedIsSane(const virStorageVolProbeHeader *hdr)
{
    unsigned long long offset;
    unsigned long long size;

    if (hdr->len < VIR_PROBE_QED_HEADER_SIZE)
        return false;

    virStorageVolProbeQedBacking(hdr, &offset, &size);
    return virStorageVolProbeBackingFits(hdr, offset, size);
}


static bool
virStorageVolProbeIsLuks(virStorageSource *meta)
{
    return meta->format == VIR_STORAGE_FILE_RAW &&
           meta->encryption &&
           meta->encryption->format == VIR_STORAGE_ENCRYPTION_FORMAT_LUKS;
}


/* The bytes before a LUKS1 payload, read in 64 bits (libvirt's prober
 * reads the 32-bit sector count into an int); false when the header is
 * cut before the field or the payload starts past the end of the file. */
static bool
virStorageVolProbeLuksPayload(const virStorageVolProbeHeader *hdr,
                              unsigned long long *payload)
{
    unsigned long long sectors;

    if (hdr->len < VIR_PROBE_LUKS1_PAYLOAD_AT + 4)
        return false;

    sectors = virReadBufInt32BE(hdr->buf + VIR_PROBE_LUKS1_PAYLOAD_AT);
    *payload = sectors * VIR_PROBE_LUKS1_SECTOR;
    return *payload <= hdr->fileSize;
}


/* Does the header @hdr, decoded as @meta, hold together?  The checks are
 * listed at the top of this file. */
static bool
virStorageVolProbeHeaderIsSane(const virStorageVolProbeHeader *hdr,
                               virStorageSource *meta)
{
    unsigned long long payload;

    if (meta->capacity > (unsigned long long) LLONG_MAX)
        return false;

    switch ((virStorageFileFormat) meta->format) {
    case VIR_STORAGE_FILE_QCOW:
    case VIR_STORAGE_FILE_QCOW2:
        return virStorageVolProbeQcowIsSane(hdr, meta->format);
    case VIR_STORAGE_FILE_QED:
        return virStorageVolProbeQedIsSane(hdr);
    case VIR_STORAGE_FILE_RAW:
        if (virStorageVolProbeIsLuks(meta))
            return virStorageVolProbeLuksPayload(hdr, &payload);
        return true;
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
    case VIR_STORAGE_FILE_VMDK:
    case VIR_STORAGE_FILE_LAST:
        break;
    }
    return true;
}


/* Does the short header @hdr, probed as @format, need the full header?
 * A raw file may be an ISO image; a qcow2 backing file name may lie past
 * the short header; other formats are rare enough to be read whole. */
static bool
virStorageVolProbeNeedsFullHeader(virStorageVolProbeReadFunc readFunc,
                                  void *opaque,
                                  const virStorageVolProbeHeader *hdr,
                                  int format)
{
    char magic[sizeof(VIR_PROBE_ISO_MAGIC) - 1];
    unsigned long long offset;
    unsigned long long size;

    if (hdr->len < VIR_PROBE_SHORT_HEADER)
        return false;           /* the whole file is in @hdr */

    if (format == VIR_STORAGE_FILE_RAW)
        return readFunc(opaque, magic, sizeof(magic),
                        VIR_PROBE_ISO_MAGIC_AT) == sizeof(magic) &&
               memcmp(magic, VIR_PROBE_ISO_MAGIC, sizeof(magic)) == 0;

    if (format == VIR_STORAGE_FILE_QCOW2) {
        virStorageVolProbeQcowBacking(hdr, &offset, &size);
        return offset + size > hdr->len || offset + size < offset;
    }

    return true;
}


/* Reads up to @size bytes of the header of the image @readFunc reads
 * into @hdr and decodes them into @meta (libvirt's prober). */
static int
virStorageVolProbeDecodeQuiet(virStorageVolProbeReadFunc readFunc,
                              void *opaque,
                              const char *path,
                              size_t size,
                              virStorageVolProbeHeader *hdr,
                              virStorageSource **meta)
{
    ssize_t len;

    g_clear_pointer(&hdr->buf, g_free);
    hdr->buf = g_new0(unsigned char, size);
    if ((len = readFunc(opaque, hdr->buf, size, 0)) < 0)
        return len;
    hdr->len = len;

    if (!(*meta = virStorageSourceGetMetadataFromBuf(path, (char *) hdr->buf,
                                                     hdr->len,
                                                     VIR_STORAGE_FILE_AUTO))) {
        virResetLastError();
        return -EINVAL;
    }
    return 0;
}


/* The backing file name @name as a path: next to the image @path when
 * relative; a name holding ':' (a URI, json:, protocol:...) is not a
 * local file and is kept as is. */
static char *
virStorageVolProbeBackingPath(const char *path,
                              const char *name)
{
    g_autofree char *dir = NULL;

    if (*name == '/' || strchr(name, ':'))
        return g_strdup(name);

    dir = g_path_get_dirname(path);
    return g_build_filename(dir, name, NULL);
}


/* Reads the image header that @readFunc reads (@fileSize bytes long, at
 * @path) into @found: its format, capacity, header fields, encryption
 * and backing store. */
static int
virStorageVolProbeImageQuiet(virStorageVolProbeReadFunc readFunc,
                             void *opaque,
                             const char *path,
                             unsigned long long fileSize,
                             virStorageVolProbeResult *found)
{
    g_autoptr(virStorageSource) meta = NULL;
    g_auto(virStorageVolProbeHeader) hdr = { .fileSize = fileSize };
    unsigned long long payload;
    int rc;

    rc = virStorageVolProbeDecodeQuiet(readFunc, opaque, path,
                                       VIR_PROBE_SHORT_HEADER, &hdr, &meta);
    if (rc == 0 &&
        virStorageVolProbeNeedsFullHeader(readFunc, opaque, &hdr, meta->format)) {
        g_clear_pointer(&meta, virObjectUnref);
        rc = virStorageVolProbeDecodeQuiet(readFunc, opaque, path,
                                           VIR_STORAGE_MAX_HEADER, &hdr, &meta);
    }
    if (rc < 0)
        return rc;

    if (!virStorageVolProbeHeaderIsSane(&hdr, meta))
        return -EINVAL;

    found->format = meta->format;
    if (meta->capacity)
        found->capacity = meta->capacity;
    found->clusterSize = meta->clusterSize;
    found->compat = g_steal_pointer(&meta->compat);
    found->features = g_steal_pointer(&meta->features);

    if (meta->encryption) {
        /* the data of a LUKS volume starts after its header */
        if (virStorageVolProbeIsLuks(meta) &&
            virStorageVolProbeLuksPayload(&hdr, &payload))
            found->capacity = payload <= found->capacity ?
                              found->capacity - payload : 0;
        found->encryption = g_steal_pointer(&meta->encryption);
    }

    /* a name of NUL bytes is none, as qemu reads it (libvirt's prober
     * gives "", which would name the image's directory) */
    found->backingFormat = VIR_STORAGE_FILE_NONE;
    if (meta->backingStoreRaw && *meta->backingStoreRaw) {
        found->backingName = g_steal_pointer(&meta->backingStoreRaw);
        found->backingPath = virStorageVolProbeBackingPath(path,
                                                           found->backingName);
        found->backingFormat = meta->backingStoreRawFormat;
    }
    return 0;
}


/* One pread of a descriptor: the reader of images on local files and
 * devices. */
static ssize_t
virStorageVolProbeReadFd(void *opaque,
                         void *buf,
                         size_t len,
                         unsigned long long offset)
{
    int fd = *(int *) opaque;
    ssize_t got = pread(fd, buf, len, offset);

    return got < 0 ? -errno : got;
}


int
virStorageVolProbeFileQuiet(virStorageVolProbeReadFunc readFunc,
                            void *opaque,
                            const struct stat *sb,
                            const char *path,
                            virStorageVolProbeResult *result)
{
    g_auto(virStorageVolProbeResult) found = { 0 };
    int rc;

    if (!S_ISREG(sb->st_mode))
        return -ENOTSUP;

    found.sb = *sb;
    found.type = VIR_STORAGE_VOL_FILE;
    found.format = VIR_STORAGE_FILE_RAW;
    found.capacity = sb->st_size;
    found.physical = sb->st_size;
    found.hasPhysical = true;
    found.allocation = (unsigned long long) sb->st_blocks * 512;

    if ((rc = virStorageVolProbeImageQuiet(readFunc, opaque, path,
                                           sb->st_size, &found)) < 0)
        return rc;

    *result = found;
    memset(&found, 0, sizeof(found));
    return 0;
}


int
virStorageVolProbeFdQuiet(int fd,
                          const struct stat *sb,
                          const char *path,
                          unsigned int flags,
                          virStorageVolProbeResult *result)
{
    g_auto(virStorageVolProbeResult) found = { 0 };
    off_t end;
    int rc = 0;

    if (S_ISREG(sb->st_mode))
        return virStorageVolProbeFileQuiet(virStorageVolProbeReadFd, &fd,
                                           sb, path, result);

    found.sb = *sb;

    if (S_ISDIR(sb->st_mode)) {
        found.type = VIR_STORAGE_VOL_DIR;
        found.format = VIR_STORAGE_FILE_DIR;
        found.capacity = sb->st_size;
        found.allocation = (unsigned long long) sb->st_blocks * 512;
    } else if (S_ISBLK(sb->st_mode)) {
        if ((end = lseek(fd, 0, SEEK_END)) < 0)
            return -errno;
        found.type = VIR_STORAGE_VOL_BLOCK;
        found.format = VIR_STORAGE_FILE_RAW;
        found.capacity = end;
        found.allocation = end;
        found.physical = end;
        found.hasPhysical = true;
        if (flags & VIR_STORAGE_VOL_PROBE_DEVICE_HEADER)
            rc = virStorageVolProbeImageQuiet(virStorageVolProbeReadFd, &fd,
                                              path, end, &found);
    } else {
        return -ENOTSUP;
    }

    if (rc < 0)
        return rc;

    *result = found;
    memset(&found, 0, sizeof(found));
    return 0;
}


int
virStorageVolProbeAtQuiet(int dirFd,
                          const char *name,
                          const char *path,
                          virStorageVolProbeResult *result)
{
    VIR_AUTOCLOSE fd = -1;
    struct stat sb;

    /* links are not followed (-ELOOP); sockets, FIFOs and character
     * devices are not volumes and are never opened (-ENOTSUP) */
    if ((fd = virStorageVolOpenAtQuiet(dirFd, name, O_RDONLY,
                                       VIR_STORAGE_VOL_OPEN_REG |
                                       VIR_STORAGE_VOL_OPEN_DIR |
                                       VIR_STORAGE_VOL_OPEN_BLOCK,
                                       NULL, &sb)) < 0)
        return fd;

    return virStorageVolProbeFdQuiet(fd, &sb, path, 0, result);
}


static void
virStorageVolProbeApplyStat(virStorageSource *target,
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


/* The header says whether and how the volume is encrypted, never which
 * secret opens it: the secrets of the volume's definition, if it has
 * some, stay. */
static void
virStorageVolProbeApplyEncryption(virStorageSource *target,
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


/* The backing store by the name and format the header gives (raw when
 * it gives none), read-only, with no permissions: never looked at.  A
 * relative name is shown next to the volume, as qemu reads it. */
static void
virStorageVolProbeApplyBacking(virStorageSource *target,
                               virStorageVolProbeResult *result)
{
    g_autoptr(virStorageSource) backing = virStorageSourceNew();
    const char *name = result->backingName;

    backing->type = VIR_STORAGE_TYPE_FILE;
    if (*name != '/') {
        if (strchr(name, ':'))
            backing->type = VIR_STORAGE_TYPE_NETWORK;
        else
            backing->relPath = g_strdup(name);
    }
    backing->path = g_steal_pointer(&result->backingPath);
    backing->format = result->backingFormat > VIR_STORAGE_FILE_NONE ?
                      result->backingFormat : VIR_STORAGE_FILE_RAW;
    backing->readonly = true;

    g_clear_pointer(&target->backingStore, virObjectUnref);
    target->backingStore = g_steal_pointer(&backing);
}


void
virStorageVolProbeApply(virStorageVolProbeResult *result,
                        virStorageVolDef *vol)
{
    virStorageSource *target = &vol->target;

    virStorageVolProbeApplyStat(target, &result->sb);

    vol->type = result->type;
    switch (result->type) {
    case VIR_STORAGE_VOL_DIR:
        target->type = VIR_STORAGE_TYPE_DIR;
        break;
    case VIR_STORAGE_VOL_BLOCK:
        target->type = VIR_STORAGE_TYPE_BLOCK;
        break;
    case VIR_STORAGE_VOL_FILE:
    case VIR_STORAGE_VOL_NETWORK:
    case VIR_STORAGE_VOL_NETDIR:
    case VIR_STORAGE_VOL_PLOOP:
    case VIR_STORAGE_VOL_LAST:
        target->type = VIR_STORAGE_TYPE_FILE;
        break;
    }

    target->format = result->format;
    target->capacity = result->capacity;
    target->allocation = result->allocation;
    if (result->hasPhysical)
        target->physical = result->physical;

    /* the header's fields: only a regular file's header is read here */
    if (result->type != VIR_STORAGE_VOL_FILE)
        return;

    if (result->clusterSize)
        target->clusterSize = result->clusterSize;
    if (result->encryption)
        virStorageVolProbeApplyEncryption(target,
                                          g_steal_pointer(&result->encryption));
    virBitmapFree(target->features);
    target->features = g_steal_pointer(&result->features);
    if (result->compat) {
        g_free(target->compat);
        target->compat = g_steal_pointer(&result->compat);
    }
    if (result->backingName)
        virStorageVolProbeApplyBacking(target, result);
}


int
virStorageVolProbe(virStoragePoolDef *def,
                   virStorageVolDef *vol)
{
    g_auto(virStorageVolProbeResult) result = { 0 };
    VIR_AUTOCLOSE fd = -1;
    struct stat sb;
    int rc;

    if ((fd = virStorageVolOpenFile(def, vol, O_RDONLY, &sb)) < 0)
        return -1;

    rc = virStorageVolProbeFdQuiet(fd, &sb, vol->target.path, 0, &result);
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

    virStorageVolProbeApply(&result, vol);
    return 0;
}
