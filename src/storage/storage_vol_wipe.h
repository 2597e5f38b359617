/*
 * storage_vol_wipe.h: what a wipe does to a volume, chosen before
 * anything is written
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The wipe itself (virStorageVolFileWipe, storage_vol_wipe.c) runs these
 * choices in order: the method of the algorithm, the plan of the
 * volume's format, then the operation for the inode it opened.  They are
 * pure, and tested on their own (tests/storagevolwipetest.c).
 */

#pragma once

#include <sys/stat.h>

#include "internal.h"
#include "storage_backend.h"
#include "storage_conf.h"
#include "vircommand.h"

typedef enum {
    VIR_STORAGE_VOL_WIPE_METHOD_ZERO,   /* every byte reads as zero */
    VIR_STORAGE_VOL_WIPE_METHOD_TRIM,   /* the blocks are released */
    VIR_STORAGE_VOL_WIPE_METHOD_SCRUB,  /* scrub(1) writes a pattern */
} virStorageVolWipeMethod;

/* The method of @algorithm (a virStorageVolWipeAlgorithm) and, for
 * scrub, its pattern name (NULL otherwise).  Reports
 * VIR_ERR_INVALID_ARG and returns -1 for a value outside the enum. */
int
virStorageVolWipeMethodForAlgorithm(unsigned int algorithm,
                                    virStorageVolWipeMethod *method,
                                    const char **pattern);

typedef enum {
    VIR_STORAGE_VOL_WIPE_PLAN_DATA,      /* wipe the bytes; nothing to rebuild */
    VIR_STORAGE_VOL_WIPE_PLAN_RECREATE,  /* wipe the bytes, then create an
                                          * empty image of the same format */
    VIR_STORAGE_VOL_WIPE_PLAN_REFUSE,    /* not a single file of data */
} virStorageVolWipePlan;

/* The plan for @vol, by its type and format. */
virStorageVolWipePlan
virStorageVolWipePlanForVolume(virStorageVolDef *vol);

typedef enum {
    VIR_STORAGE_VOL_WIPE_OP_SYNC,        /* scrub wrote it: flush only */
    VIR_STORAGE_VOL_WIPE_OP_ZERO_RANGE,  /* file: zeros, its blocks kept */
    VIR_STORAGE_VOL_WIPE_OP_PUNCH_HOLE,  /* file: blocks released, zeros */
    VIR_STORAGE_VOL_WIPE_OP_BLKZEROOUT,  /* block device: BLKZEROOUT */
    VIR_STORAGE_VOL_WIPE_OP_BLKDISCARD,  /* block device: BLKDISCARD */
} virStorageVolWipeOp;

/* What @method does to the inode @st: "zero" keeps the blocks of a
 * fully allocated file (what the user reserved) and releases those of a
 * sparse one (a wipe never grows a thin volume). */
virStorageVolWipeOp
virStorageVolWipeOpForInode(virStorageVolWipeMethod method,
                            const struct stat *st);

/* "@scrub -f -S -p @pattern --": the caller adds the path of the data.
 * -S: no "SCRUBBED!" marker written over the volume's first bytes. */
virCommand *
virStorageVolWipeBuildScrub(const char *scrub,
                            const char *pattern);

/* The wipeVol callback of file volumes, which block volumes share; it
 * runs with the pool unlocked. */
int virStorageVolFileWipe(virStoragePoolObj *pool, virStorageVolDef *vol,
                          unsigned int algorithm, unsigned int flags);
