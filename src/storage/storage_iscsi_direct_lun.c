/*
 * storage_iscsi_direct_lun.c: the LUNs of an iSCSI target through a
 * libiscsi session: listed, sized, read, written and zeroed
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every command is one asynchronous libiscsi task served until it is
 * done or VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS have passed
 * (storage_iscsi_direct_session.c).  Zeroing asks the target to do the
 * work: WRITE SAME (16) of one zero block over a range, with the UNMAP
 * bit where the LUN's provisioning page says it takes it (the target then
 * releases the blocks; either way they read as zeros afterwards, SBC-4
 * 5.50), so no data crosses the network.
 */

#include <config.h>

#include "storage_iscsi_direct_lun.h"
#include "virerror.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_iscsi_direct_lun");

/* The largest READ/WRITE of one command, in bytes. */
#define VIR_STORAGE_ISCSI_DIRECT_LUN_MAX_IO (1024 * 1024)
/* The largest WRITE SAME of one command, in bytes: one command must end
 * within VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS even where the target
 * writes the zeros itself. */
#define VIR_STORAGE_ISCSI_DIRECT_LUN_MAX_ZERO (256ULL * 1024 * 1024)


/* Runs the task queued with @w; the task, or NULL with *@err set to
 * -errno (a SCSI status other than GOOD is -EIO, its sense logged). */
static struct scsi_task *
virStorageISCSIDirectLunRun(virStorageISCSIDirectSession *sess,
                            struct scsi_task *queued,
                            virStorageISCSIDirectWait *w,
                            int *err)
{
    struct scsi_task *task;
    int rc;

    if (!queued) {
        *err = virStorageISCSIDirectSessionAlive(sess) ? -ENOMEM : -EIO;
        return NULL;
    }

    rc = virStorageISCSIDirectSessionRun(sess, w, VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS);
    task = w->done ? w->data : NULL;
    if (rc < 0) {
        scsi_free_scsi_task(task);
        *err = rc;
        return NULL;
    }
    if (w->status != SCSI_STATUS_GOOD || !task || task->status != SCSI_STATUS_GOOD) {
        if (task) {
            VIR_DEBUG("SCSI command 0x%02x: status %d sense key %d ascq 0x%04x",
                      task->cdb[0], w->status, task->sense.key, task->sense.ascq);
            *err = -EIO;
            if (task->status == SCSI_STATUS_CHECK_CONDITION &&
                task->sense.key == SCSI_SENSE_ILLEGAL_REQUEST)
                *err = -EOPNOTSUPP;
            else if (task->status == SCSI_STATUS_CHECK_CONDITION &&
                     task->sense.key == SCSI_SENSE_UNIT_ATTENTION)
                *err = -EAGAIN;
        } else {
            *err = -EIO;
        }
        scsi_free_scsi_task(task);
        return NULL;
    }
    return task;
}


static void
virStorageISCSIDirectLunReport(virStorageISCSIDirectSession *sess,
                               int lun,
                               const char *what,
                               int err)
{
    const virStorageISCSIDirectLogin *login = virStorageISCSIDirectSessionLogin(sess);

    if (err == -ETIMEDOUT) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("iSCSI target '%s' at %s of pool '%s' did not answer %s of LUN %d within %d seconds"),
                       login->target, login->portal, login->pool, what, lun,
                       VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS);
        return;
    }
    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("iSCSI target '%s' at %s of pool '%s' failed %s of LUN %d: %s"),
                   login->target, login->portal, login->pool, what, lun,
                   err == -EIO ? virStorageISCSIDirectSessionError(sess) : g_strerror(-err));
}


/* TEST UNIT READY until the LUN stops reporting a unit attention (the
 * first command of a new session gets one from most targets: "power on
 * or reset"); a LUN that is not ready is left to the next command. */
static void
virStorageISCSIDirectLunReady(virStorageISCSIDirectSession *sess,
                              int lun)
{
    size_t tries;

    for (tries = 0; tries < 16; tries++) {
        struct iscsi_context *iscsi = virStorageISCSIDirectSessionContext(sess);
        virStorageISCSIDirectWait w = { 0 };
        struct scsi_task *task;
        bool attention;

        if (!iscsi || !iscsi_testunitready_task(iscsi, lun, virStorageISCSIDirectSessionDone, &w))
            return;
        if (virStorageISCSIDirectSessionRun(sess, &w, VIR_STORAGE_ISCSI_DIRECT_COMMAND_SECONDS) < 0) {
            scsi_free_scsi_task(w.done ? w.data : NULL);
            return;
        }
        task = w.data;
        attention = task && task->status == SCSI_STATUS_CHECK_CONDITION &&
            task->sense.key == SCSI_SENSE_UNIT_ATTENTION;
        scsi_free_scsi_task(task);
        if (!attention)
            return;
    }
}


static int
virStorageISCSIDirectLunCompare(const void *a,
                                const void *b)
{
    return *(const int *) a - *(const int *) b;
}


int
virStorageISCSIDirectLunList(virStorageISCSIDirectSession *sess,
                             int **luns,
                             size_t *nluns)
{
    struct iscsi_context *iscsi = virStorageISCSIDirectSessionContext(sess);
    struct scsi_task *task;
    struct scsi_reportluns_list *list;
    int alloc = 16;
    int err = 0;
    size_t attentions = 0;
    size_t i;

    virStorageISCSIDirectLunReady(sess, 0);
    iscsi = virStorageISCSIDirectSessionContext(sess);

    for (;;) {
        virStorageISCSIDirectWait w = { 0 };
        int full;

        if (!(task = virStorageISCSIDirectLunRun(sess,
                                                 iscsi ? iscsi_reportluns_task(iscsi, 0, alloc, virStorageISCSIDirectSessionDone, &w) : NULL,
                                                 &w, &err))) {
            /* a new session's first command gets the target's unit
             * attention ("power on or reset"): asked again, it answers */
            if (err == -EAGAIN && ++attentions < 16) {
                iscsi = virStorageISCSIDirectSessionContext(sess);
                continue;
            }
            virStorageISCSIDirectLunReport(sess, 0, "REPORT LUNS", err);
            return -1;
        }
        full = scsi_datain_getfullsize(task);
        if (full <= task->datain.size || alloc >= 65536 * 8 + 8)
            break;
        alloc = MIN(full, 65536 * 8 + 8);
        scsi_free_scsi_task(task);
        iscsi = virStorageISCSIDirectSessionContext(sess);
    }

    if (!(list = scsi_datain_unmarshall(task))) {
        scsi_free_scsi_task(task);
        virStorageISCSIDirectLunReport(sess, 0, "REPORT LUNS", -EBADMSG);
        return -1;
    }

    *luns = g_new0(int, list->num + 1);
    *nluns = list->num;
    for (i = 0; i < list->num; i++)
        (*luns)[i] = list->luns[i];
    qsort(*luns, *nluns, sizeof(int), virStorageISCSIDirectLunCompare);
    scsi_free_scsi_task(task);
    return 0;
}


/* One unmarshalled reply of @lun: a task to free and its data. */
static struct scsi_task *
virStorageISCSIDirectLunAsk(virStorageISCSIDirectSession *sess,
                            int lun,
                            int page,
                            const char *what,
                            void **data)
{
    struct iscsi_context *iscsi = virStorageISCSIDirectSessionContext(sess);
    virStorageISCSIDirectWait w = { 0 };
    struct scsi_task *queued = NULL;
    struct scsi_task *task;
    int err = 0;

    if (iscsi) {
        if (page == -2)
            queued = iscsi_readcapacity16_task(iscsi, lun, virStorageISCSIDirectSessionDone, &w);
        else if (page == -1)
            queued = iscsi_inquiry_task(iscsi, lun, 0, 0, 255, virStorageISCSIDirectSessionDone, &w);
        else
            queued = iscsi_inquiry_task(iscsi, lun, 1, page, 255, virStorageISCSIDirectSessionDone, &w);
    }

    if (!(task = virStorageISCSIDirectLunRun(sess, queued, &w, &err))) {
        virStorageISCSIDirectLunReport(sess, lun, what, err);
        return NULL;
    }
    if (!(*data = scsi_datain_unmarshall(task))) {
        scsi_free_scsi_task(task);
        virStorageISCSIDirectLunReport(sess, lun, what, -EBADMSG);
        return NULL;
    }
    return task;
}


/* The VPD pages of a thin or block-limited disk; a LUN without them
 * keeps the defaults (no UNMAP, no limits). */
static void
virStorageISCSIDirectLunLimits(virStorageISCSIDirectSession *sess,
                               virStorageISCSIDirectLun *info)
{
    struct scsi_task *task;
    void *data;

    if ((task = virStorageISCSIDirectLunAsk(sess, info->lun,
                                            SCSI_INQUIRY_PAGECODE_BLOCK_LIMITS,
                                            "INQUIRY (block limits)", &data))) {
        struct scsi_inquiry_block_limits *bl = data;

        info->maxWriteSame = bl->max_ws_len;
        info->maxTransfer = bl->max_xfer_len;
        scsi_free_scsi_task(task);
    } else {
        virResetLastError();
    }

    if (info->thin &&
        (task = virStorageISCSIDirectLunAsk(sess, info->lun,
                                            SCSI_INQUIRY_PAGECODE_LOGICAL_BLOCK_PROVISIONING,
                                            "INQUIRY (provisioning)", &data))) {
        struct scsi_inquiry_logical_block_provisioning *lbp = data;

        info->writeSameUnmap = lbp->lbpws;
        scsi_free_scsi_task(task);
    } else {
        virResetLastError();
    }
}


int
virStorageISCSIDirectLunInspect(virStorageISCSIDirectSession *sess,
                                int lun,
                                virStorageISCSIDirectLun *info)
{
    struct scsi_task *task;
    void *data;

    memset(info, 0, sizeof(*info));
    info->lun = lun;

    virStorageISCSIDirectLunReady(sess, lun);

    if (!(task = virStorageISCSIDirectLunAsk(sess, lun, -1, "INQUIRY", &data)))
        return -1;
    info->disk = ((struct scsi_inquiry_standard *) data)->device_type ==
        SCSI_INQUIRY_PERIPHERAL_DEVICE_TYPE_DIRECT_ACCESS;
    scsi_free_scsi_task(task);

    if (!info->disk)
        return 0;

    if (!(task = virStorageISCSIDirectLunAsk(sess, lun, -2, "READ CAPACITY (16)", &data)))
        return -1;
    info->blockSize = ((struct scsi_readcapacity16 *) data)->block_length;
    /* the last block's address: the size is one more */
    info->blocks = ((struct scsi_readcapacity16 *) data)->returned_lba + 1;
    info->thin = ((struct scsi_readcapacity16 *) data)->lbpme;
    scsi_free_scsi_task(task);

    if (info->blockSize == 0 || info->blockSize > 65536 ||
        (info->blockSize & (info->blockSize - 1))) {
        virStorageISCSIDirectLunReport(sess, lun, "READ CAPACITY (16)", -EBADMSG);
        return -1;
    }

    virStorageISCSIDirectLunLimits(sess, info);
    VIR_DEBUG("LUN %d: %llu blocks of %u, thin=%d ws_unmap=%d max_ws=%llu max_xfer=%u",
              lun, (unsigned long long) info->blocks, info->blockSize, info->thin,
              info->writeSameUnmap, (unsigned long long) info->maxWriteSame,
              info->maxTransfer);
    return 0;
}


static int
virStorageISCSIDirectLunCheckRange(const virStorageISCSIDirectLun *info,
                                   uint64_t lba,
                                   uint64_t nblocks)
{
    if (lba > info->blocks || nblocks > info->blocks - lba)
        return -EINVAL;
    return 0;
}


/* Blocks of one READ or WRITE. */
static uint32_t
virStorageISCSIDirectLunIOBlocks(const virStorageISCSIDirectLun *info)
{
    uint32_t n = VIR_STORAGE_ISCSI_DIRECT_LUN_MAX_IO / info->blockSize;

    if (info->maxTransfer && info->maxTransfer < n)
        n = info->maxTransfer;
    return MAX(n, 1);
}


int
virStorageISCSIDirectLunReadQuiet(virStorageISCSIDirectSession *sess,
                                  const virStorageISCSIDirectLun *info,
                                  uint64_t lba,
                                  uint32_t nblocks,
                                  unsigned char *buf)
{
    uint32_t step = virStorageISCSIDirectLunIOBlocks(info);
    int rc;

    if ((rc = virStorageISCSIDirectLunCheckRange(info, lba, nblocks)) < 0)
        return rc;

    while (nblocks > 0) {
        struct iscsi_context *iscsi = virStorageISCSIDirectSessionContext(sess);
        virStorageISCSIDirectWait w = { 0 };
        uint32_t n = MIN(nblocks, step);
        struct scsi_task *task;
        int err = 0;

        if (!(task = virStorageISCSIDirectLunRun(sess,
                                                 iscsi ? iscsi_read16_task(iscsi, info->lun, lba, n * info->blockSize, info->blockSize, 0, 0, 0, 0, 0, virStorageISCSIDirectSessionDone, &w) : NULL,
                                                 &w, &err)))
            return err;
        if (task->datain.size != (int) (n * info->blockSize)) {
            scsi_free_scsi_task(task);
            return -EIO;
        }
        memcpy(buf, task->datain.data, n * info->blockSize);
        scsi_free_scsi_task(task);
        buf += (size_t) n * info->blockSize;
        lba += n;
        nblocks -= n;
    }
    return 0;
}


int
virStorageISCSIDirectLunWriteQuiet(virStorageISCSIDirectSession *sess,
                                   const virStorageISCSIDirectLun *info,
                                   uint64_t lba,
                                   uint32_t nblocks,
                                   unsigned char *buf)
{
    uint32_t step = virStorageISCSIDirectLunIOBlocks(info);
    int rc;

    if ((rc = virStorageISCSIDirectLunCheckRange(info, lba, nblocks)) < 0)
        return rc;

    while (nblocks > 0) {
        struct iscsi_context *iscsi = virStorageISCSIDirectSessionContext(sess);
        virStorageISCSIDirectWait w = { 0 };
        uint32_t n = MIN(nblocks, step);
        struct scsi_task *task;
        int err = 0;

        if (!(task = virStorageISCSIDirectLunRun(sess,
                                                 iscsi ? iscsi_write16_task(iscsi, info->lun, lba, buf, n * info->blockSize, info->blockSize, 0, 0, 0, 0, 0, virStorageISCSIDirectSessionDone, &w) : NULL,
                                                 &w, &err)))
            return err;
        scsi_free_scsi_task(task);
        buf += (size_t) n * info->blockSize;
        lba += n;
        nblocks -= n;
    }
    return 0;
}


/* The fallback of targets without WRITE SAME: zero buffers written. */
static int
virStorageISCSIDirectLunZeroByWrite(virStorageISCSIDirectSession *sess,
                                    const virStorageISCSIDirectLun *info,
                                    uint64_t lba,
                                    uint64_t nblocks)
{
    uint32_t step = virStorageISCSIDirectLunIOBlocks(info);
    g_autofree unsigned char *zeros = g_new0(unsigned char, (size_t) step * info->blockSize);
    int rc;

    while (nblocks > 0) {
        uint32_t n = MIN(nblocks, step);

        if ((rc = virStorageISCSIDirectLunWriteQuiet(sess, info, lba, n, zeros)) < 0)
            return rc;
        lba += n;
        nblocks -= n;
    }
    return 0;
}


int
virStorageISCSIDirectLunZeroQuiet(virStorageISCSIDirectSession *sess,
                                  const virStorageISCSIDirectLun *info,
                                  uint64_t lba,
                                  uint64_t nblocks)
{
    g_autofree unsigned char *zero = g_new0(unsigned char, info->blockSize);
    uint64_t step = VIR_STORAGE_ISCSI_DIRECT_LUN_MAX_ZERO / info->blockSize;
    int rc;

    if ((rc = virStorageISCSIDirectLunCheckRange(info, lba, nblocks)) < 0)
        return rc;

    if (info->maxWriteSame && info->maxWriteSame < step)
        step = info->maxWriteSame;
    step = MIN(step, UINT32_MAX);

    while (nblocks > 0) {
        struct iscsi_context *iscsi = virStorageISCSIDirectSessionContext(sess);
        virStorageISCSIDirectWait w = { 0 };
        uint32_t n = MIN(nblocks, step);
        struct scsi_task *task;
        int err = 0;

        task = virStorageISCSIDirectLunRun(sess,
                                           iscsi ? iscsi_writesame16_task(iscsi, info->lun, lba, zero, info->blockSize, n, 0, info->writeSameUnmap, 0, 0, virStorageISCSIDirectSessionDone, &w) : NULL,
                                           &w, &err);
        if (!task) {
            if (err == -EOPNOTSUPP) {
                VIR_DEBUG("LUN %d refuses WRITE SAME: writing zeros", info->lun);
                return virStorageISCSIDirectLunZeroByWrite(sess, info, lba, nblocks);
            }
            return err;
        }
        scsi_free_scsi_task(task);
        lba += n;
        nblocks -= n;
    }
    return 0;
}


int
virStorageISCSIDirectLunFlushQuiet(virStorageISCSIDirectSession *sess,
                                   const virStorageISCSIDirectLun *info)
{
    struct iscsi_context *iscsi = virStorageISCSIDirectSessionContext(sess);
    virStorageISCSIDirectWait w = { 0 };
    struct scsi_task *task;
    int err = 0;

    if (!(task = virStorageISCSIDirectLunRun(sess,
                                             iscsi ? iscsi_synchronizecache16_task(iscsi, info->lun, 0, 0, 0, 0, virStorageISCSIDirectSessionDone, &w) : NULL,
                                             &w, &err)))
        return err == -EOPNOTSUPP ? 0 : err;
    scsi_free_scsi_task(task);
    return 0;
}
