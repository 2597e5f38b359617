/*
 * storage_vol_iscsi_direct.c: the LUNs of an iscsi-direct pool as
 * volumes: named, wiped, streamed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A stream has a session of its own (libiscsi contexts are used by one
 * thread at a time, and the stream unit's worker is another thread than
 * the pool's refresh).  Positions that do not fall on the LUN's blocks
 * are read (and, for uploads, written back) a block at a time; the rest
 * goes in whole blocks.
 */

#include <config.h>

#include "storage_vol_iscsi_direct.h"
#include "virerror.h"
#include "virlog.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_iscsi_direct");

#define VIR_STORAGE_VOL_ISCSI_DIRECT_PREFIX "unit:0:0:"


void
virStorageVolISCSIDirectApply(const virStorageISCSIDirectLogin *login,
                              const virStorageISCSIDirectLun *info,
                              virStorageVolDef *vol)
{
    unsigned long long size = info->blocks * info->blockSize;

    g_free(vol->name);
    g_free(vol->key);
    g_free(vol->target.path);
    vol->name = g_strdup_printf(VIR_STORAGE_VOL_ISCSI_DIRECT_PREFIX "%d", info->lun);
    vol->key = g_strdup_printf("ip-%s-iscsi-%s-lun-%d", login->portal, login->target,
                               info->lun);
    vol->target.path = g_strdup(vol->key);
    vol->type = VIR_STORAGE_VOL_NETWORK;
    vol->target.capacity = size;
    vol->target.allocation = size;
}


/* The LUN of @vol, from its name. */
static int
virStorageVolISCSIDirectLunOf(const virStorageISCSIDirectLogin *login,
                              virStorageVolDef *vol,
                              int *lun)
{
    const char *num = STRSKIP(vol->name, VIR_STORAGE_VOL_ISCSI_DIRECT_PREFIX);
    unsigned int n;

    if (!num || virStrToLong_uip(num, NULL, 10, &n) < 0 || n > 16383) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' of pool '%s' is not a LUN of its target (names are 'unit:0:0:LUN'): refresh the pool"),
                       vol->name, login->pool);
        return -1;
    }
    *lun = n;
    return 0;
}


/* A session on the target of @login and the disk LUN of @vol. */
static virStorageISCSIDirectSession *
virStorageVolISCSIDirectOpen(const virStorageISCSIDirectLogin *login,
                             virStorageVolDef *vol,
                             virStorageISCSIDirectLun *info)
{
    g_autoptr(virStorageISCSIDirectSession) sess = NULL;
    int lun;

    if (virStorageVolISCSIDirectLunOf(login, vol, &lun) < 0)
        return NULL;
    if (!(sess = virStorageISCSIDirectSessionOpen(login)))
        return NULL;
    if (virStorageISCSIDirectLunInspect(sess, lun, info) < 0)
        return NULL;
    if (!info->disk || info->blocks == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("LUN %d of iSCSI target '%s' (volume '%s' of pool '%s') is no longer a disk: refresh the pool"),
                       lun, login->target, vol->name, login->pool);
        return NULL;
    }
    return g_steal_pointer(&sess);
}


/* virsh's names of the algorithms, by virStorageVolWipeAlgorithm */
static const char *const virStorageVolISCSIDirectWipeNames[] = {
    "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7",
    "pfitzner33", "random", "trim",
};
G_STATIC_ASSERT(G_N_ELEMENTS(virStorageVolISCSIDirectWipeNames) == VIR_STORAGE_VOL_WIPE_ALG_LAST);


int
virStorageVolISCSIDirectWipe(const virStorageISCSIDirectLogin *login,
                             virStorageVolDef *vol,
                             unsigned int algorithm,
                             unsigned int flags)
{
    g_autoptr(virStorageISCSIDirectSession) sess = NULL;
    virStorageISCSIDirectLun info;
    int rc;

    virCheckFlags(0, -1);

    if (algorithm >= VIR_STORAGE_VOL_WIPE_ALG_LAST) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unknown wipe algorithm %u: choose one that 'virsh vol-wipe --help' lists"),
                       algorithm);
        return -1;
    }
    if (algorithm != VIR_STORAGE_VOL_WIPE_ALG_ZERO &&
        algorithm != VIR_STORAGE_VOL_WIPE_ALG_TRIM) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot be wiped with algorithm '%s': iscsi-direct volumes are wiped with 'zero' or 'trim'"),
                       vol->name, login->pool, virStorageVolISCSIDirectWipeNames[algorithm]);
        return -1;
    }

    if (!(sess = virStorageVolISCSIDirectOpen(login, vol, &info)))
        return -1;

    if (algorithm == VIR_STORAGE_VOL_WIPE_ALG_TRIM && !info.writeSameUnmap) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("LUN %d of iSCSI target '%s' (volume '%s' of pool '%s') cannot release blocks (no WRITE SAME with UNMAP): wipe it with 'zero'"),
                       info.lun, login->target, vol->name, login->pool);
        return -1;
    }

    VIR_DEBUG("wiping LUN %d of '%s': %llu blocks, unmap=%d", info.lun, login->target,
              (unsigned long long) info.blocks, info.writeSameUnmap);
    if ((rc = virStorageISCSIDirectLunZeroQuiet(sess, &info, 0, info.blocks)) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot wipe volume '%s' of pool '%s' (LUN %d of iSCSI target '%s'): %s"),
                       vol->name, login->pool, info.lun, login->target,
                       rc == -EIO ? virStorageISCSIDirectSessionError(sess) : g_strerror(-rc));
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------------ streams */

typedef struct _virStorageVolISCSIDirectStream virStorageVolISCSIDirectStream;
struct _virStorageVolISCSIDirectStream {
    virStorageISCSIDirectSession *sess;
    virStorageISCSIDirectLun info;
    unsigned long long size;
    unsigned char *block;           /* one block, for partial blocks */
};


/* Reads or writes the bytes [@at, @at + @len) that lie inside one block. */
static int
virStorageVolISCSIDirectStreamPartial(virStorageVolISCSIDirectStream *s,
                                      unsigned long long at,
                                      char *rbuf,
                                      const char *wbuf,
                                      size_t len)
{
    uint64_t lba = at / s->info.blockSize;
    size_t skip = at % s->info.blockSize;
    int rc;

    if ((rc = virStorageISCSIDirectLunReadQuiet(s->sess, &s->info, lba, 1, s->block)) < 0)
        return rc;
    if (rbuf) {
        memcpy(rbuf, s->block + skip, len);
        return 0;
    }
    memcpy(s->block + skip, wbuf, len);
    return virStorageISCSIDirectLunWriteQuiet(s->sess, &s->info, lba, 1, s->block);
}


/* Moves @len bytes at @at, the middle in whole blocks (through @rbuf for
 * a read, from @wbuf for a write). */
static int
virStorageVolISCSIDirectStreamIO(virStorageVolISCSIDirectStream *s,
                                 unsigned long long at,
                                 char *rbuf,
                                 const char *wbuf,
                                 size_t len)
{
    uint32_t bs = s->info.blockSize;
    int rc;

    while (len > 0) {
        size_t skip = at % bs;
        size_t n;

        if (skip || len < bs) {
            n = MIN(len, bs - skip);
            rc = virStorageVolISCSIDirectStreamPartial(s, at, rbuf, wbuf, n);
        } else {
            n = len - len % bs;
            n = MIN(n, (size_t) 1 << 30);
            if (rbuf)
                rc = virStorageISCSIDirectLunReadQuiet(s->sess, &s->info, at / bs,
                                                       n / bs, (unsigned char *) rbuf);
            else
                rc = virStorageISCSIDirectLunWriteQuiet(s->sess, &s->info, at / bs,
                                                        n / bs, (unsigned char *) wbuf);
        }
        if (rc < 0)
            return rc;
        at += n;
        len -= n;
        if (rbuf)
            rbuf += n;
        else
            wbuf += n;
    }
    return 0;
}


static int
virStorageVolISCSIDirectStreamWrite(void *opaque,
                                    const char *buf,
                                    size_t len,
                                    unsigned long long at)
{
    virStorageVolISCSIDirectStream *s = opaque;

    /* the window lies inside the LUN, whose size is fixed */
    if (at > s->size || len > s->size - at)
        return -ENOSPC;
    return virStorageVolISCSIDirectStreamIO(s, at, NULL, buf, len);
}


static int
virStorageVolISCSIDirectStreamZero(void *opaque,
                                   unsigned long long at,
                                   unsigned long long len)
{
    virStorageVolISCSIDirectStream *s = opaque;
    uint32_t bs = s->info.blockSize;
    g_autofree char *zeros = NULL;
    unsigned long long head;
    int rc;

    if (!(len = virStorageStreamCutAtEnd(s->size, at, len)))
        return 0;

    /* partial blocks at both ends are written, whole ones zeroed */
    head = MIN(len, (bs - at % bs) % bs);
    if (head) {
        zeros = g_new0(char, bs);
        if ((rc = virStorageVolISCSIDirectStreamIO(s, at, NULL, zeros, head)) < 0)
            return rc;
        at += head;
        len -= head;
    }
    if (len >= bs) {
        if ((rc = virStorageISCSIDirectLunZeroQuiet(s->sess, &s->info, at / bs,
                                                    len / bs)) < 0)
            return rc;
        at += len - len % bs;
        len %= bs;
    }
    if (len) {
        if (!zeros)
            zeros = g_new0(char, bs);
        return virStorageVolISCSIDirectStreamIO(s, at, NULL, zeros, len);
    }
    return 0;
}


static ssize_t
virStorageVolISCSIDirectStreamRead(void *opaque,
                                   char *buf,
                                   size_t len,
                                   unsigned long long at)
{
    virStorageVolISCSIDirectStream *s = opaque;
    int rc;

    if (!(len = virStorageStreamCutAtEnd(s->size, at, len)))
        return 0;
    len = MIN(len, (size_t) 1 << 30);

    if ((rc = virStorageVolISCSIDirectStreamIO(s, at, buf, NULL, len)) < 0)
        return rc;
    return len;
}


static int
virStorageVolISCSIDirectStreamFlush(void *opaque)
{
    virStorageVolISCSIDirectStream *s = opaque;

    return virStorageISCSIDirectLunFlushQuiet(s->sess, &s->info);
}


static void
virStorageVolISCSIDirectStreamClose(void *opaque)
{
    virStorageVolISCSIDirectStream *s = opaque;

    virStorageISCSIDirectSessionClose(s->sess);
    g_free(s->block);
    g_free(s);
}


static const virStorageStreamIO virStorageVolISCSIDirectStreamIOs = {
    .write = virStorageVolISCSIDirectStreamWrite,
    .zero = virStorageVolISCSIDirectStreamZero,
    .read = virStorageVolISCSIDirectStreamRead,
    .flush = virStorageVolISCSIDirectStreamFlush,
    .close = virStorageVolISCSIDirectStreamClose,
};


int
virStorageVolISCSIDirectStreamTarget(const virStorageISCSIDirectLogin *login,
                                     virStorageVolDef *vol,
                                     unsigned long long offset,
                                     unsigned long long len,
                                     bool upload,
                                     bool sparse,
                                     virStorageStreamTarget *target)
{
    g_autoptr(virStorageISCSIDirectSession) sess = NULL;
    virStorageVolISCSIDirectStream *s;
    virStorageISCSIDirectLun info;
    unsigned long long size;

    if (!(sess = virStorageVolISCSIDirectOpen(login, vol, &info)))
        return -1;
    size = info.blocks * info.blockSize;

    if (offset > size || (upload && offset == size)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("offset %llu is beyond the end of volume '%s' of pool '%s', which is %llu bytes long"),
                       offset, vol->name, login->pool, size);
        return -1;
    }
    if (len > size - offset) {
        if (upload) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("cannot upload %llu bytes at offset %llu of volume '%s' of pool '%s': the LUN is %llu bytes long"),
                           len, offset, vol->name, login->pool, size);
            return -1;
        }
        len = size - offset;
    }

    s = g_new0(virStorageVolISCSIDirectStream, 1);
    s->sess = g_steal_pointer(&sess);
    s->info = info;
    s->size = size;
    s->block = g_new0(unsigned char, info.blockSize);

    VIR_DEBUG("%s LUN %d of '%s': offset=%llu len=%llu sparse=%d",
              upload ? "upload to" : "download from", info.lun, login->target,
              offset, len, sparse);

    target->volname = vol->name;
    target->io = &virStorageVolISCSIDirectStreamIOs;
    target->opaque = s;
    target->offset = offset;
    target->window = len ? len : size - offset;
    target->sparse = sparse;
    return 0;
}
