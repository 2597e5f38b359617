/*
 * storage_vol_gluster_probe.c: what one entry of a gluster pool's
 * directory is, read through libgfapi
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The entry's inode comes from the listing (glfs_readdirplus): a
 * directory or a regular file is a volume, anything else (a link, a
 * FIFO, a socket, a device node, which a guest or a FUSE client can make
 * in the volume) is skipped without being opened.  A regular file is
 * opened with O_NOFOLLOW, checked to be the inode that was listed, and
 * its header read and checked by the rules of file volumes
 * (storage_vol_probe.h: one copy of them, fed by a gfapi reader here).
 */

#include <config.h>

#include <fcntl.h>

#include "storage_vol_gluster_probe.h"
#include "storage_vol_probe.h"
#include "storage_source.h"
#include "viralloc.h"
#include "virlog.h"
#include "viruri.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_gluster_probe");


void
virStorageVolGlusterSetTarget(virStorageVolDef *vol,
                              virStoragePoolSource *source,
                              const char *dir)
{
    virURI uri = { 0 };
    g_autofree char *path = NULL;

    /* dir is "/" or "/sub/dir": the path is /VOLUME/NAME or
     * /VOLUME/sub/dir/NAME */
    path = g_strdup_printf("/%s%s/%s", source->name,
                           STREQ(dir, "/") ? "" : dir, vol->name);

    uri.scheme = (char *) "gluster";
    uri.server = source->nhost > 0 ? source->hosts[0].name : NULL;
    uri.port = source->nhost > 0 && source->hosts[0].port > 0 ?
               source->hosts[0].port : 0;
    uri.path = path;

    vol->type = VIR_STORAGE_VOL_NETWORK;
    vol->target.type = VIR_STORAGE_TYPE_NETWORK;

    g_free(vol->target.path);
    vol->target.path = virURIFormat(&uri);

    /* the URI is unique to the volume: libvirt 9.0 uses it as the key */
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
}


typedef struct {
    glfs_fd_t *fd;
} virStorageVolGlusterReader;


/* virStorageVolProbeReadFunc on a gfapi file: reads until @len bytes or
 * the end of the file. */
static ssize_t
virStorageVolGlusterRead(void *opaque,
                         void *buf,
                         size_t len,
                         unsigned long long offset)
{
    virStorageVolGlusterReader *reader = opaque;
    size_t done = 0;

    while (done < len) {
        ssize_t got = glfs_pread(reader->fd, (char *) buf + done, len - done,
                                 offset + done, 0, NULL);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (got == 0)
            break;
        done += got;
    }

    return done;
}


/* Opens the regular file @path of @fs without following a link and
 * checks that it is the inode @sb that was listed. */
static int
virStorageVolGlusterOpenQuiet(glfs_t *fs,
                              const char *path,
                              const struct stat *sb,
                              glfs_fd_t **fdret)
{
    glfs_fd_t *fd;
    struct stat now;

    if (!(fd = glfs_open(fs, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)))
        return -errno;

    if (glfs_fstat(fd, &now) < 0) {
        int err = errno;
        glfs_close(fd);
        return -err;
    }

    if (!S_ISREG(now.st_mode) || now.st_ino != sb->st_ino) {
        glfs_close(fd);
        return -ESTALE;
    }

    *fdret = fd;
    return 0;
}


/* The backing store as a Gluster image names it: a relative name is
 * another file of the same volume (qemu resolves it next to the image's
 * URI), so it is shown as that URI; any other name is shown as given. */
static void
virStorageVolGlusterApplyBacking(virStorageVolDef *vol)
{
    virStorageSource *backing = vol->target.backingStore;

    if (!backing || !backing->relPath)
        return;

    backing->type = VIR_STORAGE_TYPE_NETWORK;
}


int
virStorageVolGlusterProbeQuiet(glfs_t *fs,
                               const char *dir,
                               const char *name,
                               const struct stat *sb,
                               virStoragePoolSource *source,
                               virStorageVolDef *vol)
{
    g_auto(virStorageVolProbeResult) result = { 0 };
    virStorageVolGlusterReader reader = { 0 };
    g_autofree char *path = NULL;
    int rc;

    if (S_ISLNK(sb->st_mode))
        return -ELOOP;
    if (!S_ISREG(sb->st_mode) && !S_ISDIR(sb->st_mode))
        return -ENOTSUP;

    virStorageVolGlusterSetTarget(vol, source, dir);

    if (S_ISDIR(sb->st_mode)) {
        vol->type = VIR_STORAGE_VOL_NETDIR;
        vol->target.format = VIR_STORAGE_FILE_DIR;
        vol->target.capacity = sb->st_size;
        vol->target.allocation = (unsigned long long) sb->st_blocks * 512;
        return 0;
    }

    path = g_strdup_printf("%s/%s", STREQ(dir, "/") ? "" : dir, name);
    if ((rc = virStorageVolGlusterOpenQuiet(fs, path, sb, &reader.fd)) < 0)
        return rc;

    rc = virStorageVolProbeFileQuiet(virStorageVolGlusterRead, &reader, sb,
                                     vol->target.path, &result);
    glfs_close(reader.fd);
    if (rc < 0)
        return rc;

    virStorageVolProbeApply(&result, vol);

    /* Apply names a local file; this one is on the network */
    vol->type = VIR_STORAGE_VOL_NETWORK;
    vol->target.type = VIR_STORAGE_TYPE_NETWORK;
    virStorageVolGlusterApplyBacking(vol);
    return 0;
}
