/*
 * storage_vol_probe.h: reading what a volume file is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The probe reads one descriptor (its inode, and for an image its header)
 * into a virStorageVolProbeResult; callers read the result and apply what
 * they need: a pool refresh and refreshVol apply it whole to the volume
 * definition (virStorageVolProbeApply), the backing chain walk of clone,
 * resize and conversion reads only the backing store it names.
 *
 * The header is the guest's: the probe checks that it holds together
 * (storage_vol_probe.c lists the checks) and names the backing store it
 * gives without ever opening or stat'ing it.
 */

#pragma once

#include <sys/stat.h>

#include "internal.h"
#include "storage_conf.h"

typedef enum {
    /* read the image header of a block device too (the backing chain
     * walk: a qcow2 image on a logical volume); a pool refresh shows a
     * block device as raw without reading it */
    VIR_STORAGE_VOL_PROBE_DEVICE_HEADER = 1 << 0,
} virStorageVolProbeFlags;

/* What one descriptor says about a volume. */
typedef struct _virStorageVolProbeResult virStorageVolProbeResult;
struct _virStorageVolProbeResult {
    struct stat sb;                 /* the inode: type, mode, owner, times */
    virStorageVolType type;         /* FILE, DIR or BLOCK */
    int format;                     /* virStorageFileFormat */

    unsigned long long capacity;    /* bytes the guest sees */
    unsigned long long allocation;  /* bytes in use on the host */
    unsigned long long physical;    /* bytes of the file or device */
    bool hasPhysical;               /* directories have none */

    /* from the image header, when it gives them */
    unsigned long long clusterSize; /* 0: none */
    char *compat;                   /* qcow2's "1.1", or NULL */
    virBitmap *features;            /* qcow2 v3 features, or NULL */
    virStorageEncryption *encryption;   /* format only, never a secret */

    /* the backing store the header names, never opened: NULL when none */
    char *backingName;              /* as the header gives it */
    char *backingPath;              /* resolved next to the image; a name
                                     * holding ':' (not a local file) as is */
    int backingFormat;              /* the header's, VIR_STORAGE_FILE_NONE
                                     * when it names none */
};

void
virStorageVolProbeResultClear(virStorageVolProbeResult *result);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virStorageVolProbeResult,
                                 virStorageVolProbeResultClear);

/*
 * Fills @result from the descriptor @fd, open on the inode @sb (found at
 * @path, which only names it: a relative backing name is resolved next
 * to it).  One lseek for a block device, one or two preads of the header
 * for a regular file; nothing else is opened.
 * Quiet: 0, -ENOTSUP for an inode that is no volume (FIFO, socket,
 * character device), -EINVAL for an image header that does not hold
 * together, -errno; reports nothing.  @result is written only on success.
 */
int
virStorageVolProbeFdQuiet(int fd,
                          const struct stat *sb,
                          const char *path,
                          unsigned int flags,
                          virStorageVolProbeResult *result);

/*
 * Reads up to @len bytes at @offset of an image into @buf: the number of
 * bytes read (fewer only at the image's end), or -errno.  The probe reads
 * headers through one, so that images that are no local file (a Gluster
 * file through libgfapi) follow the same rules.
 */
typedef ssize_t (*virStorageVolProbeReadFunc)(void *opaque,
                                              void *buf,
                                              size_t len,
                                              unsigned long long offset);

/*
 * Fills @result for the regular file whose inode is @sb (at @path, which
 * only names it: a relative backing name is resolved next to it), its
 * header read through @readFunc(@opaque, ...): what
 * virStorageVolProbeFdQuiet does for a regular file.
 * Quiet: 0, -ENOTSUP when @sb is no regular file, -EINVAL for an image
 * header that does not hold together, or the reader's -errno; reports
 * nothing.  @result is written only on success.
 */
int
virStorageVolProbeFileQuiet(virStorageVolProbeReadFunc readFunc,
                            void *opaque,
                            const struct stat *sb,
                            const char *path,
                            virStorageVolProbeResult *result);

/*
 * The same for the entry @name of the directory open as @dirFd (a pool
 * refresh), opened without following a link and with O_NONBLOCK (see
 * storage_vol_open.h): also -ELOOP for a link; FIFOs, sockets and
 * character devices are never opened (-ENOTSUP).
 */
int
virStorageVolProbeAtQuiet(int dirFd,
                          const char *name,
                          const char *path,
                          virStorageVolProbeResult *result);

/*
 * Moves what @result found into @vol: type, format, sizes, permissions
 * and timestamps, header fields, encryption (keeping the secrets @vol's
 * definition names) and the backing store (when the header names one:
 * by name and format only, raw when the header gives none).
 */
void
virStorageVolProbeApply(virStorageVolProbeResult *result,
                        virStorageVolDef *vol);

/* Probes the volume @vol of the pool @def (refreshVol), opened as the
 * pool listed it, and applies the result; reports errors naming the
 * volume and the pool. */
int
virStorageVolProbe(virStoragePoolDef *def,
                   virStorageVolDef *vol);
