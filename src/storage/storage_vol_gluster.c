/*
 * storage_vol_gluster.c: what is done to one file of a gluster pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * All through libgfapi on the pool's connection; nothing is mounted.
 * What each operation guarantees:
 *
 *  - create: checked before anything is made (name, format, an entry of
 *    that name already there, the volume's free space).  The file is
 *    made with O_CREAT | O_EXCL by handle in the pool's directory, so
 *    nothing is written through a link or into someone else's file; a
 *    build that fails after that removes the file, and only while the
 *    entry is still the inode it made.
 *  - image formats (qcow2, qed, vmdk...): qemu-img writes the empty
 *    image into a private local directory and its data extents are
 *    copied into the new file.  qemu-img's own gluster:// driver would
 *    do the same from the volume, but it connects and finishes a glfs_t
 *    of its own for every command, and glfs_fini takes about 10 s.
 *    Conversions (a clone into another format) stage the source's data
 *    the same way; the source is opened by qemu-img with no backing
 *    file, whatever its header (a guest's data) names.
 *  - wipe: by ranges, never byte by byte: glfs_discard of the data
 *    extents of a sparse file, glfs_zerofill of those of an allocated
 *    one (the brick keeps its blocks reserved), as file volumes do.
 *
 * gfapi reports failures in errno (its calls return -1 or NULL); errno
 * is read right after each call.
 */

#include <config.h>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "storage_vol_gluster.h"
#include "storage_vol_gluster_probe.h"
#include "storage_vol_name.h"
#include "storage_command.h"
#include "storage_qemuimg.h"
#include "virerror.h"
#include "virfile.h"
#include "virjson.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_vol_gluster");

/* Bytes one copy call moves, and the largest range of one discard or
 * zerofill request. */
#define VIR_STORAGE_VOL_GLUSTER_COPY_BUF (4 * 1024 * 1024)
#define VIR_STORAGE_VOL_GLUSTER_RANGE (1ULL << 30)

/* Blocks of zeros of this size are not written by a copy: the new file
 * stays thin. */
#define VIR_STORAGE_VOL_GLUSTER_SPARSE_SIZE 4096

#define VIR_STORAGE_VOL_GLUSTER_DEFAULT_MODE 0600


static bool
virStorageVolGlusterIsRaw(virStorageVolDef *vol)
{
    return vol->target.format == VIR_STORAGE_FILE_RAW ||
           vol->target.format == VIR_STORAGE_FILE_NONE;
}


static const char *
virStorageVolGlusterFormatName(virStorageVolDef *vol)
{
    return NULLSTR(virStorageFileFormatTypeToString(vol->target.format));
}


/* ------------------------------------------------------- lookups */

/* The handle of the pool's directory @dir (not followed if a link), or
 * NULL with -errno in *@err. */
static struct glfs_object *
virStorageVolGlusterDirQuiet(glfs_t *fs,
                             const char *dir,
                             int *err)
{
    struct glfs_object *obj;
    struct stat sb;

    if (!(obj = glfs_h_lookupat(fs, NULL, dir, &sb, 0))) {
        *err = errno ? -errno : -EIO;
        return NULL;
    }
    if (!S_ISDIR(sb.st_mode)) {
        glfs_h_close(obj);
        *err = -ENOTDIR;
        return NULL;
    }
    return obj;
}


static struct glfs_object *
virStorageVolGlusterDir(glfs_t *fs,
                        const char *poolname,
                        const char *dir)
{
    struct glfs_object *obj;
    int err = 0;

    if (!(obj = virStorageVolGlusterDirQuiet(fs, dir, &err)))
        virReportSystemError(-err,
                             _("cannot open directory '%s' of pool '%s' in its Gluster volume: check that it exists and is a directory"),
                             dir, poolname);
    return obj;
}


/* Looks up entry @name of @dirobj without following a link: 0 with
 * @sb filled (and *@obj if not NULL), or -errno (-ENOENT: none). */
static int
virStorageVolGlusterEntryQuiet(glfs_t *fs,
                               struct glfs_object *dirobj,
                               const char *name,
                               struct stat *sb,
                               struct glfs_object **obj)
{
    struct glfs_object *found;

    errno = 0;
    if (!(found = glfs_h_lookupat(fs, dirobj, name, sb, 0)))
        return errno ? -errno : -ENOENT;
    if (obj)
        *obj = found;
    else
        glfs_h_close(found);
    return 0;
}


glfs_fd_t *
virStorageVolGlusterOpen(glfs_t *fs,
                         const char *poolname,
                         const char *dir,
                         const char *name,
                         int flags,
                         struct stat *sb)
{
    g_autoptr(virStorageVolGlusterObject) dirobj = NULL;
    g_autoptr(virStorageVolGlusterObject) obj = NULL;
    glfs_fd_t *fd;
    struct stat listed;
    struct stat opened;
    int rc;

    if (!(dirobj = virStorageVolGlusterDir(fs, poolname, dir)))
        return NULL;

    rc = virStorageVolGlusterEntryQuiet(fs, dirobj, name, &listed, &obj);
    if (rc == -ENOENT) {
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("volume '%s' of pool '%s' no longer exists in its Gluster volume: refresh the pool"),
                       name, poolname);
        return NULL;
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot look up volume '%s' of pool '%s' in its Gluster volume"),
                             name, poolname);
        return NULL;
    }

    if (S_ISLNK(listed.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is a symbolic link in the Gluster volume, which is never followed: remove it or refresh the pool"),
                       name, poolname);
        return NULL;
    }
    if (!S_ISREG(listed.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is not a regular file in the Gluster volume (a directory, FIFO or device): refresh the pool"),
                       name, poolname);
        return NULL;
    }

    if (!(fd = glfs_h_open(fs, obj, flags | O_NOFOLLOW))) {
        /* the inode looked up is gone: the entry was replaced (the
         * client's metadata cache may show an entry a second late) */
        if (errno == ESTALE || errno == ENOENT) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("volume '%s' of pool '%s' was replaced in the Gluster volume while it was opened: refresh the pool"),
                           name, poolname);
            return NULL;
        }
        virReportSystemError(errno,
                             _("cannot open volume '%s' of pool '%s' in its Gluster volume"),
                             name, poolname);
        return NULL;
    }

    if (glfs_fstat(fd, &opened) < 0 || !S_ISREG(opened.st_mode) ||
        opened.st_ino != listed.st_ino) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' was replaced in the Gluster volume while it was opened: refresh the pool"),
                       name, poolname);
        glfs_close(fd);
        return NULL;
    }

    if (sb)
        *sb = opened;
    return fd;
}


/* ------------------------------------------------------- free space */

/* Refuses @bytes of new data for volume @volname when the Gluster
 * volume has less free space. */
static int
virStorageVolGlusterCheckFree(glfs_t *fs,
                              const char *poolname,
                              const char *dir,
                              const char *volname,
                              unsigned long long bytes)
{
    struct statvfs sb;
    unsigned long long avail;

    if (bytes == 0)
        return 0;

    if (glfs_statvfs(fs, dir, &sb) < 0) {
        virReportSystemError(errno,
                             _("cannot read the free space of the Gluster volume of pool '%s'"),
                             poolname);
        return -1;
    }

    avail = (unsigned long long) sb.f_frsize * sb.f_bavail;
    if (bytes > avail) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' needs %llu bytes but the Gluster volume of pool '%s' has only %llu bytes available: create or grow it smaller"),
                       volname, bytes, poolname, avail);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------- copies */

/* One end of a copy: a gfapi descriptor, or a local one. */
typedef struct _virStorageVolGlusterEnd virStorageVolGlusterEnd;
struct _virStorageVolGlusterEnd {
    glfs_fd_t *gfd;
    int fd;
};


static off_t
virStorageVolGlusterEndSeek(virStorageVolGlusterEnd *end,
                            off_t at,
                            int whence)
{
    if (end->gfd)
        return glfs_lseek(end->gfd, at, whence);
    return lseek(end->fd, at, whence);
}


static ssize_t
virStorageVolGlusterEndRead(virStorageVolGlusterEnd *end,
                            char *buf,
                            size_t len,
                            off_t at)
{
    if (end->gfd)
        return glfs_pread(end->gfd, buf, len, at, 0, NULL);
    return pread(end->fd, buf, len, at);
}


static ssize_t
virStorageVolGlusterEndWrite(virStorageVolGlusterEnd *end,
                             const char *buf,
                             size_t len,
                             off_t at)
{
    if (end->gfd)
        return glfs_pwrite(end->gfd, buf, len, at, 0, NULL, NULL);
    return pwrite(end->fd, buf, len, at);
}


static bool
virStorageVolGlusterIsZero(const char *buf,
                           size_t len)
{
    return len > 0 && buf[0] == 0 && memcmp(buf, buf + 1, len - 1) == 0;
}


/* Copies the data of [@start, @end) of @src to the same place of @dst,
 * blocks of zeros left out. */
static int
virStorageVolGlusterCopyRangeQuiet(virStorageVolGlusterEnd *src,
                                   virStorageVolGlusterEnd *dst,
                                   char *buf,
                                   off_t start,
                                   off_t end)
{
    while (start < end) {
        size_t want = MIN((off_t) VIR_STORAGE_VOL_GLUSTER_COPY_BUF, end - start);
        ssize_t got = virStorageVolGlusterEndRead(src, buf, want, start);
        size_t done;

        if (got < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (got == 0)
            return 0;

        for (done = 0; done < (size_t) got; ) {
            size_t n = MIN((size_t) got - done, VIR_STORAGE_VOL_GLUSTER_SPARSE_SIZE);
            size_t run = n;
            ssize_t wrote;

            if (virStorageVolGlusterIsZero(buf + done, n)) {
                done += n;
                continue;
            }
            /* the whole run of data blocks in one write */
            while (done + run < (size_t) got) {
                size_t next = MIN((size_t) got - done - run,
                                  VIR_STORAGE_VOL_GLUSTER_SPARSE_SIZE);

                if (virStorageVolGlusterIsZero(buf + done + run, next))
                    break;
                run += next;
            }
            wrote = virStorageVolGlusterEndWrite(dst, buf + done, run,
                                                 start + done);
            if (wrote < 0) {
                if (errno == EINTR)
                    continue;
                return -errno;
            }
            done += wrote;
        }
        start += got;
    }
    return 0;
}


/* Copies the first @len bytes of @src into @dst, which is empty or
 * reads as zeros: only @src's data extents are read, and blocks of zeros
 * are not written.  0 or -errno. */
static int
virStorageVolGlusterCopyQuiet(virStorageVolGlusterEnd *src,
                              virStorageVolGlusterEnd *dst,
                              off_t len)
{
    g_autofree char *buf = g_new(char, VIR_STORAGE_VOL_GLUSTER_COPY_BUF);
    off_t at = 0;
    int rc;

    while (at < len) {
        off_t data = virStorageVolGlusterEndSeek(src, at, SEEK_DATA);
        off_t hole;

        if (data < 0 && errno == ENXIO)
            return 0;
        if (data < 0) {
            /* no extents known: everything is data */
            if (errno != EINVAL && errno != EOPNOTSUPP && errno != ENOTSUP)
                return -errno;
            return virStorageVolGlusterCopyRangeQuiet(src, dst, buf, at, len);
        }
        if (data >= len)
            return 0;

        if ((hole = virStorageVolGlusterEndSeek(src, data, SEEK_HOLE)) < 0)
            return -errno;
        hole = MIN(hole, len);

        if ((rc = virStorageVolGlusterCopyRangeQuiet(src, dst, buf, data, hole)) < 0)
            return rc;
        at = hole;
    }
    return 0;
}


/* ------------------------------------------------------- staging */

/* A private local directory for qemu-img's files, removed with them. */
typedef struct _virStorageVolGlusterStage virStorageVolGlusterStage;
struct _virStorageVolGlusterStage {
    char *dir;
    char *in;
    char *out;
};


static void
virStorageVolGlusterStageClear(virStorageVolGlusterStage *stage)
{
    if (stage->dir) {
        unlink(stage->in);
        unlink(stage->out);
        rmdir(stage->dir);
    }
    g_clear_pointer(&stage->dir, g_free);
    g_clear_pointer(&stage->in, g_free);
    g_clear_pointer(&stage->out, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(virStorageVolGlusterStage, virStorageVolGlusterStageClear);


static int
virStorageVolGlusterStageInit(virStorageVolGlusterStage *stage,
                              const char *volname)
{
    g_autoptr(GError) err = NULL;

    if (!(stage->dir = g_dir_make_tmp("libvirt-gluster-XXXXXX", &err))) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot make a local directory for the image of volume '%s': %s"),
                       volname, err->message);
        return -1;
    }
    stage->in = g_build_filename(stage->dir, "in", NULL);
    stage->out = g_build_filename(stage->dir, "out", NULL);
    return 0;
}


/* Copies the local file @path (all of it) into @gfd, which is empty. */
static int
virStorageVolGlusterUploadLocal(const char *poolname,
                                virStorageVolDef *vol,
                                const char *path,
                                glfs_fd_t *gfd)
{
    VIR_AUTOCLOSE fd = -1;
    virStorageVolGlusterEnd src = { NULL, -1 };
    virStorageVolGlusterEnd dst = { gfd, -1 };
    struct stat sb;
    int rc;

    if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
        fstat(fd, &sb) < 0) {
        virReportSystemError(errno,
                             _("cannot read the image qemu-img made for volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }
    src.fd = fd;

    if ((rc = virStorageVolGlusterCopyQuiet(&src, &dst, sb.st_size)) < 0 ||
        (glfs_ftruncate(gfd, sb.st_size, NULL, NULL) < 0 && (rc = -errno))) {
        virReportSystemError(-rc,
                             _("cannot write the image of volume '%s' into the Gluster volume of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }
    return 0;
}


/* Copies the first @len bytes of @gfd into the new local file @path. */
static int
virStorageVolGlusterDownloadLocal(const char *poolname,
                                  virStorageVolDef *vol,
                                  glfs_fd_t *gfd,
                                  off_t len,
                                  const char *path)
{
    VIR_AUTOCLOSE fd = -1;
    virStorageVolGlusterEnd src = { gfd, -1 };
    virStorageVolGlusterEnd dst = { NULL, -1 };
    int rc;

    if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0600)) < 0) {
        virReportSystemError(errno,
                             _("cannot make a local copy of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }
    dst.fd = fd;

    if ((rc = virStorageVolGlusterCopyQuiet(&src, &dst, len)) < 0 ||
        (ftruncate(fd, len) < 0 && (rc = -errno))) {
        virReportSystemError(-rc,
                             _("cannot make a local copy of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }
    return 0;
}


/* qemu-img create of the empty image of @vol, written into @gfd (which
 * is empty) through a local file. */
static int
virStorageVolGlusterWriteImage(const char *poolname,
                               virStorageVolDef *vol,
                               glfs_fd_t *gfd,
                               unsigned int flags)
{
    g_auto(virStorageVolGlusterStage) stage = { 0 };
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *qemuimg = NULL;
    virStorageVolDef view;

    if (!(qemuimg = virStorageQemuImgFind()) ||
        virStorageVolGlusterStageInit(&stage, vol->name) < 0)
        return -1;

    view = *vol;
    view.target.path = stage.out;
    if (!(cmd = virStorageQemuImgBuildCreate(qemuimg, &view, NULL, flags)))
        return -1;
    if (virStorageCommandRun(cmd, _("qemu-img cannot create the image of volume '%s' of pool '%s'"),
                             vol->name, poolname) < 0)
        return -1;

    return virStorageVolGlusterUploadLocal(poolname, vol, stage.out, gfd);
}


/* ------------------------------------------------------- create */

/* @clone: @vol is a copy of another volume, standalone whatever
 * backing store the definition copied from it names. */
static int
virStorageVolGlusterCheckDef(const char *poolname,
                             virStorageVolDef *vol,
                             bool clone)
{
    if (virStorageVolNameValidate(poolname, vol->name) < 0)
        return -1;

    if (vol->target.format == VIR_STORAGE_FILE_DIR) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot be a directory: gluster pools create files only"),
                       vol->name, poolname);
        return -1;
    }

    if (vol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot be encrypted: gluster pools create no encrypted volumes, leave out <encryption>"),
                       vol->name, poolname);
        return -1;
    }

    if (vol->target.backingStore && !clone) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot have a backing store: gluster pools create standalone volumes, clone the volume instead"),
                       vol->name, poolname);
        return -1;
    }
    return 0;
}


int
virStorageVolGlusterDefine(glfs_t *fs,
                           const char *poolname,
                           const char *dir,
                           virStoragePoolSource *source,
                           virStorageVolDef *vol)
{
    g_autoptr(virStorageVolGlusterObject) dirobj = NULL;
    struct stat sb;
    int rc;

    if (virStorageVolGlusterCheckDef(poolname, vol, false) < 0)
        return -1;

    if (!(dirobj = virStorageVolGlusterDir(fs, poolname, dir)))
        return -1;

    rc = virStorageVolGlusterEntryQuiet(fs, dirobj, vol->name, &sb, NULL);
    if (rc == 0) {
        virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                       _("'%s' of pool '%s' (an entry of that name is in the pool's directory of the Gluster volume: run 'virsh pool-refresh %s' or choose another name)"),
                       vol->name, poolname, poolname);
        return -1;
    }
    if (rc != -ENOENT) {
        virReportSystemError(-rc,
                             _("cannot check whether volume '%s' already exists in pool '%s'"),
                             vol->name, poolname);
        return -1;
    }

    virStorageVolGlusterSetTarget(vol, source, dir);
    return 0;
}


/* The file of a new volume, as @made: its directory, its name and the
 * inode made, the only one a failed build may remove. */
typedef struct _virStorageVolGlusterMade virStorageVolGlusterMade;
struct _virStorageVolGlusterMade {
    glfs_t *fs;
    struct glfs_object *dirobj;
    const char *name;
    struct stat sb;
};


/* Creates the file of @vol with O_CREAT | O_EXCL in @made->dirobj, with
 * the mode and owner of its XML.  Returns the descriptor (O_RDWR), or
 * NULL with an error reported; on failure nothing is left. */
static glfs_fd_t *
virStorageVolGlusterCreateFile(const char *poolname,
                               virStorageVolDef *vol,
                               virStorageVolGlusterMade *made);


/* Removes the file of a failed build, only if its entry is still the
 * inode made; keeps the error being reported. */
static void
virStorageVolGlusterRemoveMade(const char *poolname,
                               virStorageVolGlusterMade *made)
{
    virErrorPtr saved = NULL;
    struct stat sb;
    int rc;

    virErrorPreserveLast(&saved);
    rc = virStorageVolGlusterEntryQuiet(made->fs, made->dirobj, made->name, &sb, NULL);
    if (rc == 0 && sb.st_ino != made->sb.st_ino) {
        VIR_WARN("'%s' of pool '%s' was replaced during a failed build: left alone",
                 made->name, poolname);
    } else if (rc == 0 && glfs_h_unlink(made->fs, made->dirobj, made->name) < 0) {
        VIR_WARN("cannot remove '%s' of pool '%s' after a failed build: %s",
                 made->name, poolname, g_strerror(errno));
    }
    virErrorRestore(&saved);
}


static glfs_fd_t *
virStorageVolGlusterCreateFile(const char *poolname,
                               virStorageVolDef *vol,
                               virStorageVolGlusterMade *made)
{
    g_autoptr(virStorageVolGlusterObject) obj = NULL;
    mode_t mode = VIR_STORAGE_VOL_GLUSTER_DEFAULT_MODE;
    uid_t uid = (uid_t) -1;
    gid_t gid = (gid_t) -1;
    glfs_fd_t *fd;

    if (vol->target.perms) {
        if (vol->target.perms->mode != (mode_t) -1)
            mode = vol->target.perms->mode;
        uid = vol->target.perms->uid;
        gid = vol->target.perms->gid;
    }

    if (!(obj = glfs_h_creat(made->fs, made->dirobj, made->name,
                             O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW, mode,
                             &made->sb))) {
        if (errno == EEXIST) {
            virReportError(VIR_ERR_STORAGE_VOL_EXIST,
                           _("'%s' of pool '%s' (an entry of that name appeared in the pool's directory of the Gluster volume: run 'virsh pool-refresh %s' or choose another name)"),
                           vol->name, poolname, poolname);
        } else {
            virReportSystemError(errno,
                                 _("cannot create volume '%s' of pool '%s' in its Gluster volume"),
                                 vol->name, poolname);
        }
        return NULL;
    }

    if (!(fd = glfs_h_open(made->fs, obj, O_RDWR | O_NOFOLLOW))) {
        virReportSystemError(errno,
                             _("cannot open volume '%s' of pool '%s' that was just created"),
                             vol->name, poolname);
        virStorageVolGlusterRemoveMade(poolname, made);
        return NULL;
    }

    if (((uid != (uid_t) -1 || gid != (gid_t) -1) &&
         glfs_fchown(fd, uid, gid) < 0) ||
        glfs_fchmod(fd, mode) < 0) {
        virReportSystemError(errno,
                             _("cannot set the owner and mode of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        glfs_close(fd);
        virStorageVolGlusterRemoveMade(poolname, made);
        return NULL;
    }
    return fd;
}


/* Reserves [@offset, @offset + @len) of @fd. */
static int
virStorageVolGlusterAllocate(const char *poolname,
                             virStorageVolDef *vol,
                             glfs_fd_t *fd,
                             off_t offset,
                             off_t len)
{
    if (len <= 0)
        return 0;

    if (glfs_fallocate(fd, 0, offset, len) == 0)
        return 0;

    /* a brick without fallocate: zerofill writes what it must */
    if ((errno == EOPNOTSUPP || errno == ENOSYS) &&
        glfs_zerofill(fd, offset, len) == 0)
        return 0;

    virReportSystemError(errno,
                         _("cannot allocate %lld bytes for volume '%s' of pool '%s'"),
                         (long long) len, vol->name, poolname);
    return -1;
}


static int
virStorageVolGlusterBuildRaw(const char *poolname,
                             virStorageVolDef *vol,
                             glfs_fd_t *fd,
                             unsigned int flags)
{
    unsigned long long allocation = MIN(vol->target.allocation,
                                        vol->target.capacity);

    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("raw volume '%s' has no metadata to preallocate: drop --prealloc-metadata"),
                       vol->name);
        return -1;
    }

    if (virStorageVolGlusterAllocate(poolname, vol, fd, 0, allocation) < 0)
        return -1;

    if (glfs_ftruncate(fd, vol->target.capacity, NULL, NULL) < 0) {
        virReportSystemError(errno,
                             _("cannot set the size of volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }
    return 0;
}


/* Ends a build on @fd: flushes, closes, and checks that the entry is
 * still the file made. */
static int
virStorageVolGlusterBuildEnd(const char *poolname,
                             virStorageVolDef *vol,
                             glfs_fd_t *fd,
                             virStorageVolGlusterMade *made)
{
    struct stat sb;
    int rc = 0;

    if (glfs_fsync(fd, NULL, NULL) < 0) {
        virReportSystemError(errno,
                             _("cannot flush volume '%s' of pool '%s' to its Gluster volume"),
                             vol->name, poolname);
        rc = -1;
    }
    if (glfs_close(fd) < 0 && rc == 0) {
        virReportSystemError(errno,
                             _("cannot close volume '%s' of pool '%s'"),
                             vol->name, poolname);
        rc = -1;
    }
    if (rc < 0)
        return -1;

    if (virStorageVolGlusterEntryQuiet(made->fs, made->dirobj, made->name, &sb, NULL) < 0 ||
        sb.st_ino != made->sb.st_ino) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' was not created: its entry was removed or replaced while the volume was built; remove what stands there or choose another name"),
                       vol->name, poolname);
        return -1;
    }
    return 0;
}


int
virStorageVolGlusterBuild(glfs_t *fs,
                          const char *poolname,
                          const char *dir,
                          virStorageVolDef *vol,
                          unsigned int flags)
{
    g_autoptr(virStorageVolGlusterObject) dirobj = NULL;
    virStorageVolGlusterMade made = { fs, NULL, vol->name, { 0 } };
    glfs_fd_t *fd;
    int rc;

    virCheckFlags(VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                  VIR_STORAGE_VOL_CREATE_VALIDATE, -1);
    flags &= ~VIR_STORAGE_VOL_CREATE_VALIDATE;

    if (virStorageVolGlusterCheckDef(poolname, vol, false) < 0)
        return -1;

    if (!(dirobj = virStorageVolGlusterDir(fs, poolname, dir)))
        return -1;
    made.dirobj = dirobj;

    if (virStorageVolGlusterCheckFree(fs, poolname, dir, vol->name,
                                      vol->target.capacity) < 0)
        return -1;

    if (!(fd = virStorageVolGlusterCreateFile(poolname, vol, &made)))
        return -1;

    VIR_DEBUG("building %s volume '%s' of pool '%s': capacity=%llu allocation=%llu",
              virStorageVolGlusterFormatName(vol), vol->name, poolname,
              vol->target.capacity, vol->target.allocation);

    if (virStorageVolGlusterIsRaw(vol))
        rc = virStorageVolGlusterBuildRaw(poolname, vol, fd, flags);
    else
        rc = virStorageVolGlusterWriteImage(poolname, vol, fd, flags);

    if (rc < 0) {
        glfs_close(fd);
        virStorageVolGlusterRemoveMade(poolname, &made);
        return -1;
    }

    if (virStorageVolGlusterBuildEnd(poolname, vol, fd, &made) < 0) {
        virStorageVolGlusterRemoveMade(poolname, &made);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------- clone */

/* The name qemu-img opens the staged copy @path of @vol by: a json:
 * name with no backing file for the formats that can have one. */
static char *
virStorageVolGlusterStagedSpec(virStorageVolDef *vol,
                               const char *path)
{
    g_autoptr(virJSONValue) node = virJSONValueNewObject();
    g_autoptr(virJSONValue) file = virJSONValueNewObject();
    g_autofree char *json = NULL;
    const char *driver = virStorageVolGlusterFormatName(vol);

    switch (vol->target.format) {
    case VIR_STORAGE_FILE_QCOW:
    case VIR_STORAGE_FILE_QCOW2:
    case VIR_STORAGE_FILE_QED:
    case VIR_STORAGE_FILE_VMDK:
        break;
    default:
        return g_strdup(path);
    }

    if (virJSONValueObjectAppendString(file, "driver", "file") < 0 ||
        virJSONValueObjectAppendString(file, "filename", path) < 0 ||
        virJSONValueObjectAppendString(node, "driver", driver) < 0 ||
        virJSONValueObjectAppend(node, "file", &file) < 0 ||
        virJSONValueObjectAppendNull(node, "backing") < 0 ||
        !(json = virJSONValueToString(node, false)))
        return NULL;
    return g_strdup_printf("json:%s", json);
}


/* qemu-img convert of @origvol (open as @src, @srcsb) into @dst, through
 * local files, then grown to @newvol's capacity. */
static int
virStorageVolGlusterConvert(const char *poolname,
                            virStorageVolDef *newvol,
                            virStorageVolDef *origvol,
                            glfs_fd_t *src,
                            const struct stat *srcsb,
                            glfs_fd_t *dst,
                            unsigned int flags)
{
    g_auto(virStorageVolGlusterStage) stage = { 0 };
    g_autoptr(virCommand) convert = NULL;
    g_autoptr(virCommand) resize = NULL;
    g_autofree char *qemuimg = NULL;
    g_autofree char *inSpec = NULL;
    virStorageVolDef inView;
    virStorageVolDef outView;

    if (origvol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot clone encrypted volume '%s' of pool '%s': copying encrypted images is not supported"),
                       origvol->name, poolname);
        return -1;
    }

    if (!(qemuimg = virStorageQemuImgFind()) ||
        virStorageVolGlusterStageInit(&stage, newvol->name) < 0 ||
        virStorageVolGlusterDownloadLocal(poolname, origvol, src, srcsb->st_size,
                                          stage.in) < 0 ||
        !(inSpec = virStorageVolGlusterStagedSpec(origvol, stage.in)))
        return -1;

    inView = *origvol;
    inView.target.path = inSpec;
    inView.target.backingStore = NULL;
    outView = *newvol;
    outView.target.path = stage.out;

    if (!(convert = virStorageQemuImgBuildConvert(qemuimg, &outView, &inView,
                                                  NULL, flags)))
        return -1;
    if (virStorageCommandRun(convert, _("qemu-img cannot copy volume '%s' into volume '%s' of pool '%s'"),
                             origvol->name, newvol->name, poolname) < 0)
        return -1;

    if (newvol->target.capacity > origvol->target.capacity) {
        if (!(resize = virStorageQemuImgBuildResize(qemuimg, &outView,
                                                    newvol->target.capacity,
                                                    false, false, NULL)))
            return -1;
        if (virStorageCommandRun(resize, _("qemu-img cannot grow clone '%s' of pool '%s' to %llu bytes"),
                                 newvol->name, poolname, newvol->target.capacity) < 0)
            return -1;
    }

    return virStorageVolGlusterUploadLocal(poolname, newvol, stage.out, dst);
}


/* A sparse copy of the bytes of @origvol; a raw copy is then sized to
 * @newvol's capacity, an image keeps the source's file size. */
static int
virStorageVolGlusterCopyBytes(const char *poolname,
                              virStorageVolDef *newvol,
                              virStorageVolDef *origvol,
                              glfs_fd_t *src,
                              const struct stat *srcsb,
                              glfs_fd_t *dst)
{
    virStorageVolGlusterEnd from = { src, -1 };
    virStorageVolGlusterEnd to = { dst, -1 };
    off_t size = srcsb->st_size;
    int rc;

    if (virStorageVolGlusterIsRaw(newvol))
        size = MAX((unsigned long long) size, newvol->target.capacity);

    if ((rc = virStorageVolGlusterCopyQuiet(&from, &to, srcsb->st_size)) < 0) {
        virReportSystemError(-rc,
                             _("cannot copy volume '%s' into volume '%s' of pool '%s'"),
                             origvol->name, newvol->name, poolname);
        return -1;
    }

    if (glfs_ftruncate(dst, size, NULL, NULL) < 0) {
        virReportSystemError(errno,
                             _("cannot set the size of volume '%s' of pool '%s'"),
                             newvol->name, poolname);
        return -1;
    }
    return 0;
}


int
virStorageVolGlusterBuildFrom(glfs_t *fs,
                              const char *poolname,
                              const char *dir,
                              virStorageVolDef *newvol,
                              virStorageVolDef *origvol,
                              unsigned int flags)
{
    g_autoptr(virStorageVolGlusterObject) dirobj = NULL;
    g_autoptr(glfs_fd_t) src = NULL;
    virStorageVolGlusterMade made = { fs, NULL, newvol->name, { 0 } };
    struct stat srcsb;
    bool copy;
    glfs_fd_t *fd;
    int rc;

    virCheckFlags(VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                  VIR_STORAGE_VOL_CREATE_REFLINK, -1);

    if (flags & VIR_STORAGE_VOL_CREATE_REFLINK) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' of pool '%s' cannot share blocks (reflink) with its clone: Gluster volumes have no reflinks, drop --reflink"),
                       origvol->name, poolname);
        return -1;
    }

    if (virStorageVolGlusterCheckDef(poolname, newvol, true) < 0)
        return -1;

    if (!(dirobj = virStorageVolGlusterDir(fs, poolname, dir)))
        return -1;
    made.dirobj = dirobj;

    if (!(src = virStorageVolGlusterOpen(fs, poolname, dir, origvol->name,
                                         O_RDONLY, &srcsb)))
        return -1;

    /* the same bytes where the format stays and, for an image, the size */
    copy = virStorageVolGlusterIsRaw(origvol) && virStorageVolGlusterIsRaw(newvol);
    if (!copy && origvol->target.format == newvol->target.format &&
        newvol->target.capacity <= origvol->target.capacity &&
        !(flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA))
        copy = true;

    if (copy && virStorageVolGlusterIsRaw(newvol) &&
        newvol->target.capacity < (unsigned long long) srcsb.st_size) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("clone '%s' of pool '%s' cannot be smaller (%llu bytes) than volume '%s' (%llu bytes): give it at least that capacity"),
                       newvol->name, poolname, newvol->target.capacity,
                       origvol->name, (unsigned long long) srcsb.st_size);
        return -1;
    }

    if (virStorageVolGlusterCheckFree(fs, poolname, dir, newvol->name,
                                      MAX(newvol->target.capacity,
                                          (unsigned long long) srcsb.st_size)) < 0)
        return -1;

    if (!(fd = virStorageVolGlusterCreateFile(poolname, newvol, &made)))
        return -1;

    VIR_DEBUG("cloning volume '%s' into '%s' of pool '%s' (%s)", origvol->name,
              newvol->name, poolname, copy ? "copy" : "qemu-img convert");

    if (copy)
        rc = virStorageVolGlusterCopyBytes(poolname, newvol, origvol, src, &srcsb, fd);
    else
        rc = virStorageVolGlusterConvert(poolname, newvol, origvol, src, &srcsb,
                                         fd, flags);

    if (rc < 0) {
        glfs_close(fd);
        virStorageVolGlusterRemoveMade(poolname, &made);
        return -1;
    }

    if (virStorageVolGlusterBuildEnd(poolname, newvol, fd, &made) < 0) {
        virStorageVolGlusterRemoveMade(poolname, &made);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------- delete */

int
virStorageVolGlusterDelete(glfs_t *fs,
                           const char *poolname,
                           const char *dir,
                           virStorageVolDef *vol,
                           unsigned int flags)
{
    g_autoptr(virStorageVolGlusterObject) dirobj = NULL;
    struct stat sb;
    int rc;

    virCheckFlags(0, -1);

    if (virStorageVolNameValidate(poolname, vol->name) < 0)
        return -1;

    if (vol->in_use) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' is busy with an upload, download or wipe: try again when it ends"),
                       vol->name, poolname);
        return -1;
    }

    if (!(dirobj = virStorageVolGlusterDir(fs, poolname, dir)))
        return -1;

    rc = virStorageVolGlusterEntryQuiet(fs, dirobj, vol->name, &sb, NULL);
    if (rc == -ENOENT) {
        VIR_DEBUG("'%s' of pool '%s' is gone already", vol->name, poolname);
        return 0;
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot look up volume '%s' of pool '%s' in its Gluster volume"),
                             vol->name, poolname);
        return -1;
    }

    if (glfs_h_unlink(fs, dirobj, vol->name) < 0) {
        if (errno == ENOENT)
            return 0;
        if (errno == ENOTEMPTY || errno == EEXIST) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("directory volume '%s' of pool '%s' is not empty: empty it first"),
                           vol->name, poolname);
            return -1;
        }
        virReportSystemError(errno,
                             _("cannot delete volume '%s' of pool '%s' from its Gluster volume"),
                             vol->name, poolname);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------- resize */

int
virStorageVolGlusterResize(glfs_t *fs,
                           const char *poolname,
                           const char *dir,
                           virStorageVolDef *vol,
                           unsigned long long capacity,
                           unsigned int flags)
{
    g_autoptr(glfs_fd_t) fd = NULL;
    unsigned long long size;
    struct stat sb;

    virCheckFlags(VIR_STORAGE_VOL_RESIZE_ALLOCATE |
                  VIR_STORAGE_VOL_RESIZE_DELTA |
                  VIR_STORAGE_VOL_RESIZE_SHRINK, -1);

    if (!virStorageVolGlusterIsRaw(vol)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("volume '%s' of pool '%s' is a %s image: gluster pools resize raw volumes only; clone it into a larger volume instead"),
                       vol->name, poolname, virStorageVolGlusterFormatName(vol));
        return -1;
    }

    if (!(fd = virStorageVolGlusterOpen(fs, poolname, dir, vol->name, O_RDWR, &sb)))
        return -1;
    size = sb.st_size;

    /* the file may have changed since the pool last looked */
    if (capacity < size && !(flags & VIR_STORAGE_VOL_RESIZE_SHRINK)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("volume '%s' of pool '%s' is %llu bytes: shrinking it to %llu bytes loses data and needs the shrink flag (virsh vol-resize --shrink)"),
                       vol->name, poolname, size, capacity);
        return -1;
    }

    if (capacity > size &&
        virStorageVolGlusterCheckFree(fs, poolname, dir, vol->name,
                                      capacity - size) < 0)
        return -1;

    if ((flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) && capacity > size &&
        virStorageVolGlusterAllocate(poolname, vol, fd, size, capacity - size) < 0)
        return -1;

    VIR_DEBUG("resizing volume '%s' of pool '%s' from %llu to %llu bytes",
              vol->name, poolname, size, capacity);
    if (glfs_ftruncate(fd, capacity, NULL, NULL) < 0) {
        virReportSystemError(errno,
                             _("cannot resize volume '%s' of pool '%s' to %llu bytes"),
                             vol->name, poolname, capacity);
        return -1;
    }
    return 0;
}


/* ------------------------------------------------------------- wipe */

/* Makes [@at, @at + @len) of @fd read as zeros: discarded, or
 * zero-filled where @keep (the file's blocks stay reserved) or where
 * the brick cannot discard.  0 or -errno. */
static int
virStorageVolGlusterZeroRangeQuiet(glfs_fd_t *fd,
                                   off_t at,
                                   off_t len,
                                   bool keep)
{
    while (len > 0) {
        off_t n = MIN(len, (off_t) VIR_STORAGE_VOL_GLUSTER_RANGE);

        if (keep || glfs_discard(fd, at, n) < 0) {
            if (!keep && errno != EOPNOTSUPP && errno != ENOSYS)
                return -errno;
            if (glfs_zerofill(fd, at, n) < 0)
                return -errno;
        }
        at += n;
        len -= n;
    }
    return 0;
}


/* Zeroes the data extents of @fd's first @size bytes. */
static int
virStorageVolGlusterWipeZeroQuiet(glfs_fd_t *fd,
                                  off_t size,
                                  bool keep)
{
    off_t at = 0;
    int rc;

    while (at < size) {
        off_t data = glfs_lseek(fd, at, SEEK_DATA);
        off_t hole;

        if (data < 0 && errno == ENXIO)
            return 0;
        if (data < 0)
            return virStorageVolGlusterZeroRangeQuiet(fd, at, size - at, keep);
        if (data >= size)
            return 0;
        if ((hole = glfs_lseek(fd, data, SEEK_HOLE)) < 0)
            return -errno;
        hole = MIN(hole, size);

        if ((rc = virStorageVolGlusterZeroRangeQuiet(fd, data, hole - data, keep)) < 0)
            return rc;
        at = hole;
    }
    return 0;
}


/* virsh's names of the algorithms, by virStorageVolWipeAlgorithm */
static const char *const virStorageVolGlusterWipeNames[] = {
    "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7",
    "pfitzner33", "random", "trim",
};
G_STATIC_ASSERT(G_N_ELEMENTS(virStorageVolGlusterWipeNames) == VIR_STORAGE_VOL_WIPE_ALG_LAST);


int
virStorageVolGlusterWipe(glfs_t *fs,
                         const char *poolname,
                         const char *dir,
                         virStorageVolDef *vol,
                         unsigned int algorithm,
                         unsigned int flags)
{
    g_autoptr(glfs_fd_t) fd = NULL;
    struct stat sb;
    bool keep;
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
                       _("volume '%s' of pool '%s' cannot be wiped with algorithm '%s': gluster volumes are wiped with 'zero' or 'trim'"),
                       vol->name, poolname, virStorageVolGlusterWipeNames[algorithm]);
        return -1;
    }

    if (!(fd = virStorageVolGlusterOpen(fs, poolname, dir, vol->name, O_RDWR, &sb)))
        return -1;

    if (algorithm == VIR_STORAGE_VOL_WIPE_ALG_TRIM) {
        rc = virStorageVolGlusterZeroRangeQuiet(fd, 0, sb.st_size, false);
    } else {
        /* a fully allocated file keeps its blocks reserved */
        keep = (unsigned long long) sb.st_blocks * 512 >= (unsigned long long) sb.st_size &&
               sb.st_size > 0;
        rc = virStorageVolGlusterWipeZeroQuiet(fd, sb.st_size, keep);
    }
    if (rc < 0) {
        virReportSystemError(-rc,
                             _("cannot wipe volume '%s' of pool '%s'"),
                             vol->name, poolname);
        return -1;
    }

    if (!virStorageVolGlusterIsRaw(vol)) {
        /* an image container stays usable: empty, same format and size */
        if (glfs_ftruncate(fd, 0, NULL, NULL) < 0) {
            virReportSystemError(errno,
                                 _("cannot empty volume '%s' of pool '%s' to write its image again"),
                                 vol->name, poolname);
            return -1;
        }
        if (virStorageVolGlusterWriteImage(poolname, vol, fd, 0) < 0)
            return -1;
    }

    if (glfs_fsync(fd, NULL, NULL) < 0) {
        virReportSystemError(errno,
                             _("cannot flush volume '%s' of pool '%s' to its Gluster volume"),
                             vol->name, poolname);
        return -1;
    }
    return 0;
}


/* ---------------------------------------------------------- refresh */

int
virStorageVolGlusterRefresh(glfs_t *fs,
                            const char *poolname,
                            const char *dir,
                            virStoragePoolSource *source,
                            virStorageVolDef *vol)
{
    g_autoptr(virStorageVolGlusterObject) dirobj = NULL;
    struct stat sb;
    int rc;

    if (!(dirobj = virStorageVolGlusterDir(fs, poolname, dir)))
        return -1;

    rc = virStorageVolGlusterEntryQuiet(fs, dirobj, vol->name, &sb, NULL);
    if (rc == 0)
        rc = virStorageVolGlusterProbeQuiet(fs, dir, vol->name, &sb, source, vol);

    switch (rc) {
    case 0:
        return 0;
    case -ENOENT:
        virReportError(VIR_ERR_NO_STORAGE_VOL,
                       _("volume '%s' of pool '%s' no longer exists in its Gluster volume: refresh the pool"),
                       vol->name, poolname);
        return -1;
    case -ELOOP:
    case -ENOTSUP:
    case -ESTALE:
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("volume '%s' of pool '%s' was replaced by a link or an entry that is not a volume: refresh the pool"),
                       vol->name, poolname);
        return -1;
    default:
        virReportSystemError(-rc,
                             _("cannot read volume '%s' of pool '%s' in its Gluster volume"),
                             vol->name, poolname);
        return -1;
    }
}
