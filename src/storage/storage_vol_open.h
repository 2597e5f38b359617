/*
 * storage_vol_open.h: opening volumes without following what a guest
 * may have planted
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A file volume is the entry NAME of its pool's directory.  Guests (or
 * anyone who can write into that directory) may replace the entry by a
 * symbolic link, a FIFO, a socket, a device node or another file at any
 * time.  So a volume is never opened by its path:
 *
 *  1. the pool's directory is opened (O_DIRECTORY, O_NOFOLLOW on its last
 *     component);
 *  2. the entry is opened relative to it with O_PATH | O_NOFOLLOW: that
 *     open has no side effect, never blocks (a FIFO) and gives the link
 *     itself when the entry is a link;
 *  3. fstat checks the type the caller accepts and, when the refresh (or
 *     the create) recorded it, the device and inode the pool listed;
 *  4. the same inode is opened again through /proc/self/fd/N with the
 *     flags the caller asked for, O_NONBLOCK included, which is cleared
 *     afterwards for regular files and directories.
 *
 * Tools get the descriptor, never the path: in this process as
 * /proc/self/fd/N (a path that cannot be swapped: it names the inode
 * we checked), in a child as /dev/fd/N after virCommandPassFD.
 *
 * Block volumes of disk and logical pools (/dev/sdb1, /dev/vg/lv, which
 * is a link udev or lvm2 made) are opened by their path, following the
 * system's links, and must be block devices.
 *
 * Functions ending in Quiet report nothing and return -errno:
 *   -ELOOP    the entry is a symbolic link;
 *   -ENOTSUP  the entry is not of an accepted type (FIFO, socket,
 *             character device, or a file where a directory was listed...);
 *   -ESTALE   the entry is another inode than the one the pool listed;
 *   anything else from open/fstat.
 */

#pragma once

#include <sys/stat.h>

#include "internal.h"
#include "storage_conf.h"
#include "vircommand.h"

typedef enum {
    VIR_STORAGE_VOL_OPEN_REG = 1 << 0,     /* regular file */
    VIR_STORAGE_VOL_OPEN_DIR = 1 << 1,     /* directory */
    VIR_STORAGE_VOL_OPEN_BLOCK = 1 << 2,   /* block device */
} virStorageVolOpenType;

/* Which inode a volume was when its pool listed it. */
typedef struct _virStorageVolIdentity virStorageVolIdentity;
struct _virStorageVolIdentity {
    dev_t dev;
    ino_t ino;
};

/* The directory @path, not followed if its last component is a link:
 * a descriptor (O_RDONLY | O_DIRECTORY | O_CLOEXEC) or -errno. */
int
virStorageVolOpenDirQuiet(const char *path);

/*
 * The entry @name (one path component) of the directory @dirFd, opened
 * with @flags (O_RDONLY, O_RDWR, O_PATH... never O_CREAT) as described
 * at the top of this file.  @types is a mask of virStorageVolOpenType;
 * @expect, when not NULL, the inode the entry must be.  Fills @sb (may
 * be NULL) and returns the descriptor, or -errno.
 */
int
virStorageVolOpenAtQuiet(int dirFd,
                         const char *name,
                         int flags,
                         unsigned int types,
                         const virStorageVolIdentity *expect,
                         struct stat *sb);

/*
 * Creates the regular file @name in @dirFd with O_CREAT | O_EXCL |
 * O_NOFOLLOW (an existing entry of any kind, a dangling link included,
 * makes it fail with -EEXIST) and mode @mode, opened with @flags.
 * Fills @sb with the new inode; returns the descriptor or -errno.
 */
int
virStorageVolCreateAtQuiet(int dirFd,
                           const char *name,
                           int flags,
                           mode_t mode,
                           struct stat *sb);

/*
 * Removes the entry @name of @dirFd only if it is still the inode @made
 * (a directory with @isDir).  Returns 0, -ESTALE when the entry is
 * another inode now (left alone), -ENOENT when it is gone, or -errno.
 * The check and the unlink are two calls: what a guest can swap in
 * between is only an entry of a directory it can already write.
 */
int
virStorageVolUnlinkAtQuiet(int dirFd,
                           const char *name,
                           const struct stat *made,
                           bool isDir);

/*
 * The block device at @path (links followed: they are the system's),
 * opened with @flags | O_NONBLOCK | O_CLOEXEC.  -ENOTBLK when it is not
 * a block device.  Fills @sb (may be NULL); returns the descriptor or
 * -errno.
 */
int
virStorageVolOpenBlockQuiet(const char *path,
                            int flags,
                            struct stat *sb);

/* "/proc/self/fd/@fd": a path to the inode @fd is open on, for this
 * process (libvirt's FD streams, virFile* helpers). */
char *
virStorageVolFdPath(int fd);

/* Passes @fd to the child of @cmd (the caller keeps it) and returns the
 * path the child opens it by ("/dev/fd/@fd"). */
char *
virStorageVolCommandPassFD(virCommand *cmd,
                           int fd);

/*
 * The inode each listed volume was, keyed by the volume's key.  The pool
 * refresh records every entry it lists (after forgetting what it had
 * listed under the pool's directory), create records the file it made,
 * delete forgets it.  virStorageVolIdentityLookup returns false when
 * nothing is recorded (then no inode is checked, only the type).
 */
void
virStorageVolIdentityRemember(const char *key,
                              const struct stat *sb);
bool
virStorageVolIdentityLookup(const char *key,
                            virStorageVolIdentity *id);
void
virStorageVolIdentityForget(const char *key);
void
virStorageVolIdentityForgetUnder(const char *dirPath);

/*
 * Which device each listed block volume whose path may name another
 * device later was, keyed by the volume's path: a LUN's /dev/sdX (the
 * kernel gives the name, and with it the device number, of a LUN that
 * went away to the next LUN it finds) or a udev link to it.  The refresh
 * of scsi and iscsi pools records the device number of each LUN it
 * lists and, read from sysfs, the LUN's address (H:B:T:L) and wwid (its
 * VPD 0x83 identifier); virStorageVolOpenBlock checks them on the
 * descriptor it opened (which keeps the device and its name from being
 * given to another LUN while it is open).  Nothing recorded: nothing
 * checked (disk and logical pools, whose device names do not move to
 * another disk while the pool is active).
 */
void
virStorageVolDeviceRemember(const char *path,
                            const struct stat *sb);

/*
 * Opens the file (or directory) volume @vol of the pool @def as above:
 * the entry named by the last component of @vol->target.path in the
 * pool's target directory, of the type @vol->type says, the inode the
 * pool listed.  Reports VIR_ERR_OPERATION_INVALID naming the volume and
 * the pool when the entry is a link, of another type or another inode.
 * Returns the descriptor, or -1.
 */
int
virStorageVolOpenFile(virStoragePoolDef *def,
                      virStorageVolDef *vol,
                      int flags,
                      struct stat *sb);

/*
 * As virStorageVolOpenFile, with the pool's directory already open as
 * @dirFd (the caller opens it once for several entries).
 */
int
virStorageVolOpenFileAt(virStoragePoolDef *def,
                        int dirFd,
                        virStorageVolDef *vol,
                        int flags,
                        struct stat *sb);

/* Opens the pool's target directory, reporting errors naming the pool.
 * Returns the descriptor or -1. */
int
virStorageVolOpenPoolDir(virStoragePoolDef *def);

/*
 * Opens the block volume @vol (of a disk, logical... pool @def) by its
 * path; reports VIR_ERR_OPERATION_INVALID naming the volume and the pool
 * when it is not a block device, or when it is another device (or LUN)
 * than the pool listed (virStorageVolDeviceRemember).  Returns the
 * descriptor, or -1.
 */
int
virStorageVolOpenBlock(virStoragePoolDef *def,
                       virStorageVolDef *vol,
                       int flags,
                       struct stat *sb);

/*
 * The volume @vol of the pool @def, whatever its type: the entry of the
 * pool's directory (virStorageVolOpenFile) for dir, fs and netfs pools,
 * the block device by its path (virStorageVolOpenBlock) for the others.
 */
int
virStorageVolOpen(virStoragePoolDef *def,
                  virStorageVolDef *vol,
                  int flags,
                  struct stat *sb);
