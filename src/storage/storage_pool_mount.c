/*
 * storage_pool_mount.c: fs and netfs pools, a directory on a mount
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * An fs pool mounts a local block device on its target, a netfs pool a
 * network share; both are then directory pools.  Start checks what it can
 * before mounting (the target exists, the device exists and holds the
 * pool's file system) so that the error says what to fix; build writes a
 * file system only on a blank device unless asked to overwrite.
 */

#include <config.h>

#include <sys/mount.h>
#include <sys/stat.h>

#include "storage_pool_mount.h"
#include "storage_pool_dir.h"
#include "storage_mount.h"
#include "storage_mkfs.h"
#include "storage_blkid.h"
#include "storage_command.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

VIR_LOG_INIT("storage.storage_pool_mount");


int
virStoragePoolMountCheck(virStoragePoolObj *pool,
                         bool *active)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    int rc;

    if ((rc = virStorageMountIsMounted(def->target.path)) < 0)
        return -1;

    *active = rc == 1;
    return 0;
}


static const char *
virStoragePoolFsFormatName(virStoragePoolDef *def)
{
    if (def->source.format == VIR_STORAGE_POOL_FS_AUTO)
        return NULL;
    return virStoragePoolFormatFileSystemTypeToString(def->source.format);
}


/* Does libblkid's name @found for a file system mount as the pool's
 * format @wanted? */
static bool
virStoragePoolFsFormatMatches(const char *wanted,
                              const char *found)
{
    if (STREQ(wanted, found))
        return true;
    /* the ext4 driver mounts ext2 and ext3 too */
    if (STREQ(wanted, "ext4"))
        return STREQ(found, "ext2") || STREQ(found, "ext3");
    if (STREQ(wanted, "hfs+"))
        return STREQ(found, "hfsplus");
    if (STREQ(wanted, "vmfs"))
        return STREQ(found, "VMFS");
    return false;
}


static int
virStoragePoolFsRequireDevice(virStoragePoolDef *def,
                              const char *device)
{
    struct stat sb;

    if (stat(device, &sb) < 0) {
        if (errno == ENOENT) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("source device '%s' of pool '%s' does not exist: fix <source><device path='...'/> in the pool's XML"),
                           device, def->name);
        } else {
            virReportSystemError(errno,
                                 _("cannot access source device '%s' of pool '%s'"),
                                 device, def->name);
        }
        return -1;
    }

    if (!S_ISBLK(sb.st_mode) && !S_ISREG(sb.st_mode)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("source '%s' of pool '%s' is neither a block device nor an image file"),
                       device, def->name);
        return -1;
    }
    return 0;
}


/* The device exists; 1 and @found set when libblkid finds a signature on
 * it, 0 when it is blank. */
static int
virStoragePoolFsProbeDevice(virStoragePoolDef *def,
                            const char *device,
                            char **found)
{
    if (virStoragePoolFsRequireDevice(def, device) < 0)
        return -1;

    return virStorageBlkidFindSignature(device, found);
}


/* Before mounting: the device holds the file system the pool names. */
static int
virStoragePoolFsCheckContent(virStoragePoolDef *def,
                             const char *device)
{
    const char *wanted = virStoragePoolFsFormatName(def);
    g_autofree char *found = NULL;
    int rc;

    if ((rc = virStoragePoolFsProbeDevice(def, device, &found)) < 0)
        return -1;

    if (rc == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' of pool '%s' holds no file system: make one with 'virsh pool-build %s'"),
                       device, def->name, def->name);
        return -1;
    }

    if (wanted && !virStoragePoolFsFormatMatches(wanted, found)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("device '%s' holds '%s' but pool '%s' expects '%s': fix <format type='...'/> in the pool's XML"),
                       device, found, def->name, wanted);
        return -1;
    }
    return 0;
}


/* 1 and @source set when something is mounted on the pool's target. */
static int
virStoragePoolMountedSource(virStoragePoolDef *def,
                            char **source)
{
    return virStorageMountTableFindTarget(VIR_STORAGE_MOUNT_TABLE,
                                          def->target.path, source);
}


static bool
virStoragePoolIsGlusterfs(const virStoragePoolDef *def)
{
    return def->type == VIR_STORAGE_POOL_NETFS &&
           def->source.format == VIR_STORAGE_POOL_NETFS_GLUSTERFS;
}


/*
 * What a failed glusterfs mount leaves: its FUSE client, daemonized out
 * of mount's process group, and maybe the FUSE mount it made before it
 * reached the server (see storage_mount.c).  Both go: the client first,
 * as every access to the mount point waits for it; then the mount, if
 * still there, is detached (no access needed once the client is gone).
 * @mountpoint is the target as mount(8) resolved it.  Keeps the error
 * already reported; a leftover is logged, it cannot be reported too.
 */
static void
virStoragePoolGlusterMountUndo(virStoragePoolDef *def,
                               const char *mountpoint)
{
    virErrorPtr orig = NULL;
    int rc;

    virErrorPreserveLast(&orig);

    if ((rc = virStorageMountStopGlusterClientsQuiet(mountpoint)) < 0)
        VIR_WARN("cannot stop the glusterfs client of pool '%s' on '%s': %s",
                 def->name, mountpoint, g_strerror(-rc));
    else if (rc > 0)
        VIR_INFO("stopped %d glusterfs client(s) of pool '%s' on '%s'",
                 rc, def->name, mountpoint);

    if (virStorageMountTableFindTarget(VIR_STORAGE_MOUNT_TABLE, mountpoint,
                                       NULL) == 1 &&
        umount2(mountpoint, MNT_DETACH | UMOUNT_NOFOLLOW) < 0)
        VIR_WARN("cannot detach '%s' of pool '%s': %s",
                 mountpoint, def->name, g_strerror(errno));

    virErrorRestore(&orig);
}


/* The netfs mount was stopped at its time limit of @seconds.  An NFS
 * or cifs mount may have completed just then: the pool is started if
 * our source is on the target.  A glusterfs mount is on the target
 * before its client reached the server, so it proves nothing: it is
 * undone. */
static int
virStoragePoolMountTimedOut(virStoragePoolDef *def,
                            const char *source,
                            const char *mountpoint,
                            unsigned int seconds)
{
    g_autofree char *mounted = NULL;
    int rc;

    if (virStoragePoolIsGlusterfs(def)) {
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("cannot mount gluster volume '%s' of host '%s' on '%s' for pool '%s': the server did not answer within %u seconds; mount and its glusterfs client were stopped and nothing is mounted; check that glusterd runs on host '%s' and that volume '%s' is started"),
                       def->source.dir, def->source.hosts[0].name,
                       def->target.path, def->name, seconds,
                       def->source.hosts[0].name, def->source.dir);
        virStoragePoolGlusterMountUndo(def, mountpoint);
        return -1;
    }

    if ((rc = virStoragePoolMountedSource(def, &mounted)) < 0)
        return -1;

    if (rc == 1 && STREQ_NULLABLE(mounted, source)) {
        virResetLastError();
        return 0;
    }

    virReportError(VIR_ERR_OPERATION_TIMEOUT,
                   _("cannot mount '%s' on '%s' for pool '%s': the server did not answer within %u seconds and mount was stopped; check that host '%s' is up and exports '%s'"),
                   source, def->target.path, def->name, seconds,
                   def->source.hosts[0].name, def->source.dir);
    return -1;
}


/* mount(8) exited non-zero: says why, with its stderr.  A glusterfs
 * mount's leftovers are undone. */
static void
virStoragePoolMountFailed(virStoragePoolDef *def,
                          const char *source,
                          const char *mountpoint,
                          const char *errbuf,
                          int status)
{
    if (virStoragePoolIsGlusterfs(def)) {
        if (*errbuf)
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("cannot mount gluster volume '%s' of host '%s' on '%s' for pool '%s': check that host '%s' is known and runs glusterd, and that volume '%s' exists and is started (gluster volume info): %s"),
                           def->source.dir, def->source.hosts[0].name,
                           def->target.path, def->name,
                           def->source.hosts[0].name, def->source.dir, errbuf);
        else
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("cannot mount gluster volume '%s' of host '%s' on '%s' for pool '%s': mount exited with status %d and printed nothing on stderr; check that host '%s' is known and runs glusterd, and that volume '%s' exists and is started"),
                           def->source.dir, def->source.hosts[0].name,
                           def->target.path, def->name, status,
                           def->source.hosts[0].name, def->source.dir);
        virStoragePoolGlusterMountUndo(def, mountpoint);
        return;
    }

    if (*errbuf)
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot mount '%s' on '%s' for pool '%s': %s"),
                       source, def->target.path, def->name, errbuf);
    else
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot mount '%s' on '%s' for pool '%s': mount exited with status %d and printed nothing on stderr"),
                       source, def->target.path, def->name, status);
}


static int
virStoragePoolMountRun(virStoragePoolDef *def,
                       const char *source)
{
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *errbuf = NULL;
    g_autofree char *what = NULL;
    g_autofree char *mountpoint = NULL;
    unsigned int seconds = virStorageMountTimeLimit(def);
    bool timedOut = false;
    int status;

    if (!(cmd = virStorageMountBuildCommand(def, source)))
        return -1;

    /* resolved as mount(8) will, while nothing is mounted on it yet */
    if (!(mountpoint = virFileCanonicalizePath(def->target.path))) {
        virReportSystemError(errno,
                             _("cannot resolve target '%s' of pool '%s'"),
                             def->target.path, def->name);
        return -1;
    }

    if (seconds == 0) {
        status = virStorageCommandRunStatus(cmd, &errbuf);
    } else {
        what = g_strdup_printf(_("cannot mount '%s' on '%s' for pool '%s'"),
                               source, def->target.path, def->name);
        status = virStorageCommandRunLimited(cmd, seconds, what, NULL, &errbuf,
                                             &timedOut);
    }

    if (timedOut)
        return virStoragePoolMountTimedOut(def, source, mountpoint, seconds);
    if (status <= 0)
        return status;

    virStoragePoolMountFailed(def, source, mountpoint, errbuf, status);
    return -1;
}


int
virStoragePoolMountStart(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *source = NULL;
    g_autofree char *mounted = NULL;
    int rc;

    if (!(source = virStorageMountSourceString(def)))
        return -1;

    if (virStoragePoolDirRequireTarget(def) < 0)
        return -1;

    if ((rc = virStoragePoolMountedSource(def, &mounted)) < 0)
        return -1;

    if (rc == 1) {
        if (STREQ_NULLABLE(mounted, source))
            return 0;
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("'%s' is already mounted on target '%s' of pool '%s': unmount it first"),
                       NULLSTR(mounted), def->target.path, def->name);
        return -1;
    }

    if (def->type == VIR_STORAGE_POOL_FS &&
        virStoragePoolFsCheckContent(def, source) < 0)
        return -1;

    return virStoragePoolMountRun(def, source);
}


/*
 * A netfs pool whose server stopped answering.
 *
 * NFS mounts stay 'hard' (see storage_mount.c): a process touching the
 * file system of a server that does not answer waits, in the kernel,
 * until the server is back.  Had the daemon itself stat'ed the target
 * or read the directory, the thread serving the call would wait with
 * it, for ever, holding the pool.  So before the daemon touches a
 * mounted netfs pool's files, a child process asks the server for the
 * file system's size (statfs, never answered from the client's cache)
 * and is stopped after VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT seconds;
 * waits on an NFS server are killable, so the child does end.
 *
 *  - refresh: no answer fails the refresh with an error naming the
 *    server; libvirt's driver then stops the pool.
 *  - stop: no answer means a normal umount would wait too (it writes
 *    back cached data and, for NFSv3, calls the server's mountd), so
 *    the mount is detached lazily instead: it leaves the daemon's
 *    namespace at once and the kernel keeps the file system, with any
 *    data not yet written, until its last user is gone, writing the
 *    data when the server answers again.  Nothing is thrown away: no
 *    'umount -f', which would fail pending writes.  A server that
 *    answers gets the normal umount, which refuses a busy mount.
 *
 * The probe answers for the moment it ran: a server that dies right
 * after it can still hold the call that follows.
 */

/* The exit status of the probe (0: the server answered), or -1 with
 * an error reported when it could not be run or was stopped at its
 * limit (*@timedOut then set); @errbuf gets its stderr. */
static int
virStoragePoolNetfsProbe(virStoragePoolDef *def,
                         char **errbuf,
                         bool *timedOut)
{
    g_autoptr(virCommand) cmd = virStorageMountProbeBuildCommand(def->target.path);
    g_autofree char *what = g_strdup_printf(_("cannot read the file system of netfs pool '%s' on '%s'"),
                                            def->name, def->target.path);

    return virStorageCommandRunLimited(cmd, VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT,
                                       what, NULL, errbuf, timedOut);
}


static const char *
virStoragePoolNetfsHost(virStoragePoolDef *def)
{
    if (def->source.nhost == 0 || !def->source.hosts[0].name)
        return "?";
    return def->source.hosts[0].name;
}


int
virStoragePoolNetfsRefresh(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *errbuf = NULL;
    bool timedOut = false;
    int status;

    status = virStoragePoolNetfsProbe(def, &errbuf, &timedOut);

    if (timedOut) {
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("server '%s' of netfs pool '%s' did not answer within %d seconds: cannot list the volumes on '%s'; the pool is stopped (its mount detached), start it again once the server is back"),
                       virStoragePoolNetfsHost(def), def->name,
                       VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT, def->target.path);
        return -1;
    }
    if (status < 0)
        return -1;

    if (status != 0 && *errbuf) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot read the file system of netfs pool '%s' on '%s': %s"),
                       def->name, def->target.path, errbuf);
        return -1;
    }
    if (status != 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("cannot read the file system of netfs pool '%s' on '%s': its probe exited with status %d and printed nothing on stderr"),
                       def->name, def->target.path, status);
        return -1;
    }

    return virStoragePoolDirRefresh(pool);
}


/* 1 when the server of the netfs pool mounted on its target does not
 * answer, 0 when it does (or the pool is not netfs), -1 on error. */
static int
virStoragePoolNetfsServerIsDead(virStoragePoolDef *def)
{
    g_autofree char *errbuf = NULL;
    bool timedOut = false;

    if (def->type != VIR_STORAGE_POOL_NETFS)
        return 0;

    if (virStoragePoolNetfsProbe(def, &errbuf, &timedOut) < 0) {
        if (!timedOut)
            return -1;
        virResetLastError();
        return 1;
    }
    return 0;
}


static int
virStoragePoolNetfsDetach(virStoragePoolDef *def)
{
    g_autoptr(virCommand) cmd = virStorageUmountLazyBuildCommand(def->target.path);
    g_autofree char *errbuf = NULL;
    g_autofree char *what = g_strdup_printf(_("cannot detach '%s' of netfs pool '%s'"),
                                            def->target.path, def->name);
    bool timedOut = false;
    int status;

    status = virStorageCommandRunLimited(cmd, VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT,
                                         what, NULL, &errbuf, &timedOut);
    if (status < 0 && !timedOut)
        return -1;

    /* the detach itself is done early in umount(2); what may still wait
     * on the server is the release of the file system after it */
    if (status != 0 && virStorageMountIsMounted(def->target.path) == 0) {
        virResetLastError();
        status = 0;
    }

    if (status != 0 && timedOut) {
        virReportError(VIR_ERR_OPERATION_TIMEOUT,
                       _("server '%s' of netfs pool '%s' does not answer and '%s' cannot be detached: umount --lazy did not finish within %d seconds; stop the pool again once the server is back"),
                       virStoragePoolNetfsHost(def), def->name, def->target.path,
                       VIR_STORAGE_MOUNT_PROBE_TIME_LIMIT);
        return -1;
    }
    if (status != 0 && *errbuf) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("server '%s' of netfs pool '%s' does not answer and '%s' cannot be detached: %s"),
                       virStoragePoolNetfsHost(def), def->name, def->target.path,
                       errbuf);
        return -1;
    }
    if (status != 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("server '%s' of netfs pool '%s' does not answer and '%s' cannot be detached: umount --lazy exited with status %d and printed nothing on stderr"),
                       virStoragePoolNetfsHost(def), def->name, def->target.path,
                       status);
        return -1;
    }

    VIR_WARN("server '%s' of netfs pool '%s' does not answer: '%s' detached lazily; the kernel keeps data not yet written until the server answers again",
             virStoragePoolNetfsHost(def), def->name, def->target.path);
    return 0;
}


int
virStoragePoolMountStop(virStoragePoolObj *pool)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *resolved = NULL;
    int rc;

    if ((rc = virStorageMountIsMounted(def->target.path)) < 0)
        return -1;
    if (rc == 0)
        return 0;

    if ((rc = virStoragePoolNetfsServerIsDead(def)) < 0)
        return -1;
    if (rc == 1)
        return virStoragePoolNetfsDetach(def);

    /* mount(8) resolved the links on the target when it mounted, and so
     * did the check above: unmount the mount point it found */
    if (!(resolved = virFileCanonicalizePath(def->target.path))) {
        virReportSystemError(errno,
                             _("cannot resolve target '%s' of pool '%s'"),
                             def->target.path, def->name);
        return -1;
    }

    if ((rc = virStorageUmountQuiet(resolved)) == 0)
        return 0;

    if (rc == -EBUSY) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot unmount '%s' of pool '%s': it is busy, a process still uses a file on it (see 'fuser -vm %s'); stop that process and try again"),
                       def->target.path, def->name, def->target.path);
    } else {
        virReportSystemError(-rc,
                             _("cannot unmount '%s' of pool '%s'"),
                             def->target.path, def->name);
    }
    return -1;
}


static int
virStoragePoolFsMakeFileSystem(virStoragePoolDef *def,
                               const char *device,
                               bool overwrite)
{
    g_autoptr(virCommand) cmd = NULL;

    if (!(cmd = virStorageMkfsBuildCommand(virStoragePoolFsFormatName(def),
                                           device, overwrite)))
        return -1;

    return virStorageCommandRun(cmd,
                                _("cannot make a '%s' file system on '%s' for pool '%s'"),
                                virStoragePoolFsFormatName(def), device, def->name);
}


/*
 * What build does with the device, by what libblkid finds on it:
 *   blank                       -> mkfs of the pool's format
 *   the pool's own file system  -> kept, unless --overwrite
 *   anything else               -> refused, unless --overwrite
 * --no-overwrite refuses any signature at all.
 */
static int
virStoragePoolFsPrepareDevice(virStoragePoolDef *def,
                              const char *device,
                              unsigned int flags)
{
    const char *wanted = virStoragePoolFsFormatName(def);
    g_autofree char *found = NULL;
    int rc;

    if ((rc = virStoragePoolFsProbeDevice(def, device, &found)) < 0)
        return -1;

    if (!wanted) {
        if (rc == 1 && !(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE))
            return 0;
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("pool '%s' has format 'auto': set the file system to make with <format type='ext4'/> (pool-define-as --source-format)"),
                       def->name);
        return -1;
    }

    if (rc == 1 &&
        !(flags & (VIR_STORAGE_POOL_BUILD_OVERWRITE |
                   VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)) &&
        virStoragePoolFsFormatMatches(wanted, found)) {
        VIR_INFO("device '%s' of pool '%s' already holds %s: kept",
                 device, def->name, found);
        return 0;
    }

    if (rc == 1 &&
        virStorageBlkidRefuseOrWipe(def->name, device,
                                    !!(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE)) < 0)
        return -1;

    return virStoragePoolFsMakeFileSystem(def, device, rc == 1);
}


int
virStoragePoolFsBuild(virStoragePoolObj *pool,
                      unsigned int flags)
{
    virStoragePoolDef *def = virStoragePoolObjGetDef(pool);
    g_autofree char *device = NULL;
    int rc;

    virCheckFlags(VIR_STORAGE_POOL_BUILD_OVERWRITE |
                  VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    VIR_EXCLUSIVE_FLAGS_RET(VIR_STORAGE_POOL_BUILD_OVERWRITE,
                            VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);

    if (!(device = virStorageMountSourceString(def)))
        return -1;

    if ((rc = virStorageMountIsMounted(def->target.path)) < 0)
        return -1;
    if (rc == 1) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("target '%s' of pool '%s' is mounted: destroy the pool before building it"),
                       def->target.path, def->name);
        return -1;
    }

    if (virStoragePoolFsPrepareDevice(def, device, flags) < 0)
        return -1;

    return virStoragePoolDirMakeTarget(pool);
}

