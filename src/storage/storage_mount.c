/*
 * storage_mount.c: mounting the source of fs and netfs pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Options and positional arguments.  mount(8), umount(8) and stat(1)
 * read their options with getopt_long: "--" ends them, and every
 * builder here puts it before the source and target.  But mount(8)
 * hands the source and target on to its helpers (mount.nfs,
 * mount.cifs, mount.glusterfs) without a "--", and mount.nfs reads a
 * first argument starting with '-' as its own option: "-V:/export"
 * prints its version and exits 0, having mounted nothing.  So no
 * source or target may start with '-' at all: the fs device, the netfs
 * host (the start of "host:/dir") and the target are refused here
 * before any command is built.
 */

#include <config.h>

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <libmount.h>

#include "storage_command.h"
#include "storage_mount.h"
#include "storage_pool_fs_namespace.h"
#include "virbuffer.h"
#include "virerror.h"
#include "virfile.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

typedef struct libmnt_table virStorageMountLibmntTable;

/* Every pool mount gets these: a pool holds disk images, never device
 * nodes, set-uid programs or binaries meant to run on the host.  They
 * come last on the -o list: mount(8) and the mount.<type> helpers let a
 * later option win over an earlier one, so nothing before them (an
 * fs:mount_opts 'suid' in a pool definition written before the
 * allow-list of storage_pool_fs_mount_options.c) can undo them. */
#define VIR_STORAGE_MOUNT_BASE_OPTIONS "nodev,nosuid,noexec"


static const char *
virStorageMountFsDevicePath(const virStoragePoolDef *def)
{
    if (def->source.ndevice == 0 || !def->source.devices[0].path) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("fs pool '%s' has no source device: add <device path='...'/> to its <source>"),
                       def->name);
        return NULL;
    }

    if (def->source.ndevice > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("fs pool '%s' lists %zu source devices: keep exactly one <device> in its <source>"),
                       def->name, def->source.ndevice);
        return NULL;
    }

    if (def->source.devices[0].path[0] == '-') {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("source device '%s' of fs pool '%s' starts with '-', which mount and mkfs would read as an option: give the device's absolute path"),
                       def->source.devices[0].path, def->name);
        return NULL;
    }

    return def->source.devices[0].path;
}


static const char *
virStorageMountNetfsHost(const virStoragePoolDef *def)
{
    if (def->source.nhost == 0 || !def->source.hosts[0].name) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("netfs pool '%s' has no source host: add <host name='...'/> to its <source>"),
                       def->name);
        return NULL;
    }

    if (def->source.nhost > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("netfs pool '%s' lists %zu source hosts: keep exactly one <host> in its <source>"),
                       def->name, def->source.nhost);
        return NULL;
    }

    if (def->source.hosts[0].name[0] == '-') {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("host '%s' of netfs pool '%s' starts with '-', which the mount helpers would read as an option: give the server's name or address"),
                       def->source.hosts[0].name, def->name);
        return NULL;
    }

    return def->source.hosts[0].name;
}


static const char *
virStorageMountNetfsDir(const virStoragePoolDef *def)
{
    if (!def->source.dir || !*def->source.dir) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("netfs pool '%s' has no source directory: add <dir path='...'/> to its <source> (the export, share or gluster volume)"),
                       def->name);
        return NULL;
    }

    return def->source.dir;
}


/* "host:/export"; an IPv6 literal needs brackets so that mount.nfs can
 * tell the address from the path. */
static char *
virStorageMountNfsSource(const char *host, const char *dir)
{
    if (strchr(host, ':') && host[0] != '[')
        return g_strdup_printf("[%s]:%s", host, dir);

    return g_strdup_printf("%s:%s", host, dir);
}


/* "host:volume": the pool's <dir> names the gluster volume, which some
 * users write as "/volume".  mount.glusterfs takes both forms and the
 * kernel lists the source as given, so we settle on one spelling,
 * the one 'virsh find-storage-pool-sources' reports: no leading '/'. */
static char *
virStorageMountGlusterSource(const char *host, const char *dir)
{
    while (*dir == '/')
        dir++;

    return g_strdup_printf("%s:%s", host, dir);
}


/* "//host/share", however many '/' the share was written with. */
static char *
virStorageMountCifsSource(const char *host, const char *dir)
{
    while (*dir == '/')
        dir++;

    return g_strdup_printf("//%s/%s", host, dir);
}


static char *
virStorageMountNetfsSourceString(const virStoragePoolDef *def)
{
    const char *host;
    const char *dir;

    if (!(host = virStorageMountNetfsHost(def)) ||
        !(dir = virStorageMountNetfsDir(def)))
        return NULL;

    switch ((virStoragePoolFormatFileSystemNet) def->source.format) {
    case VIR_STORAGE_POOL_NETFS_AUTO:
    case VIR_STORAGE_POOL_NETFS_NFS:
        return virStorageMountNfsSource(host, dir);
    case VIR_STORAGE_POOL_NETFS_GLUSTERFS:
        if (!dir[strspn(dir, "/")]) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("netfs pool '%s' names no gluster volume: set <dir path='VOLUME'/> in its <source>"),
                           def->name);
            return NULL;
        }
        return virStorageMountGlusterSource(host, dir);
    case VIR_STORAGE_POOL_NETFS_CIFS:
        return virStorageMountCifsSource(host, dir);
    case VIR_STORAGE_POOL_NETFS_LAST:
        break;
    }

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("netfs pool '%s' has an unknown source format %d"),
                   def->name, def->source.format);
    return NULL;
}


char *
virStorageMountSourceString(const virStoragePoolDef *def)
{
    const char *path;

    switch ((virStoragePoolType) def->type) {
    case VIR_STORAGE_POOL_FS:
        if (!(path = virStorageMountFsDevicePath(def)))
            return NULL;
        return g_strdup(path);
    case VIR_STORAGE_POOL_NETFS:
        return virStorageMountNetfsSourceString(def);
    case VIR_STORAGE_POOL_DIR:
    case VIR_STORAGE_POOL_LOGICAL:
    case VIR_STORAGE_POOL_DISK:
    case VIR_STORAGE_POOL_ISCSI:
    case VIR_STORAGE_POOL_ISCSI_DIRECT:
    case VIR_STORAGE_POOL_SCSI:
    case VIR_STORAGE_POOL_MPATH:
    case VIR_STORAGE_POOL_RBD:
    case VIR_STORAGE_POOL_SHEEPDOG:
    case VIR_STORAGE_POOL_GLUSTER:
    case VIR_STORAGE_POOL_ZFS:
    case VIR_STORAGE_POOL_VSTORAGE:
    case VIR_STORAGE_POOL_LAST:
        break;
    }

    virReportError(VIR_ERR_INTERNAL_ERROR,
                   _("pool '%s' of type %d is not mounted"),
                   def->name, def->type);
    return NULL;
}


/* The -t argument, or NULL when mount(8) should find the type itself:
 * for fs pools it probes the device with libblkid, for netfs pools it
 * picks nfs for "host:dir" sources. */
static const char *
virStorageMountTypeArg(const virStoragePoolDef *def)
{
    if (def->type == VIR_STORAGE_POOL_FS) {
        if (def->source.format == VIR_STORAGE_POOL_FS_AUTO)
            return NULL;
        return virStoragePoolFormatFileSystemTypeToString(def->source.format);
    }

    if (def->source.format == VIR_STORAGE_POOL_NETFS_AUTO)
        return NULL;
    return virStoragePoolFormatFileSystemNetTypeToString(def->source.format);
}


/* Does the user's fs:mount_opts already say how to authenticate to the
 * cifs server?  Then "guest" must not override it. */
static bool
virStorageMountCifsOptionsHaveAuth(const virStoragePoolFSMountOpts *opts)
{
    /* credentials= and password= are refused at define time */
    static const char *authKeys[] = {
        "user", "username", "sec",
    };
    size_t i;
    size_t j;

    if (!opts)
        return false;

    for (i = 0; i < opts->noptions; i++) {
        const char *opt = opts->options[i];
        size_t keylen = strcspn(opt, "=");

        for (j = 0; j < G_N_ELEMENTS(authKeys); j++) {
            if (strlen(authKeys[j]) == keylen &&
                STREQLEN(opt, authKeys[j], keylen))
                return true;
        }
    }

    return false;
}


/* Options that depend on the netfs format, before the user's own, each
 * followed by a comma.
 *
 * NFS: mount.nfs retries a failed foreground mount for 2 minutes by
 * default, so pool-start would hang that long on a dead server.
 * retry=0 makes it give up after the first attempt.  We do NOT add
 * 'soft': on a soft mount a slow server turns into I/O errors inside
 * the guests' disk images, which is data loss; the data path stays
 * 'hard' (the default).  Users who want the waiting back can add
 * fs:mount_opts retry=N, which comes later and wins. */
static void
virStorageMountAddNetfsOptions(virBuffer *buf,
                               const virStoragePoolDef *def,
                               const virStoragePoolFSMountOpts *opts)
{
    switch ((virStoragePoolFormatFileSystemNet) def->source.format) {
    case VIR_STORAGE_POOL_NETFS_AUTO:
    case VIR_STORAGE_POOL_NETFS_NFS:
        if (def->source.protocolVer)
            virBufferAsprintf(buf, "nfsvers=%s,", def->source.protocolVer);
        virBufferAddLit(buf, "retry=0,");
        break;
    case VIR_STORAGE_POOL_NETFS_GLUSTERFS:
        /* no page cache of our own over the volume: guests see what
         * the bricks hold */
        virBufferAddLit(buf, "direct-io-mode=1,");
        break;
    case VIR_STORAGE_POOL_NETFS_CIFS:
        if (!virStorageMountCifsOptionsHaveAuth(opts))
            virBufferAddLit(buf, "guest,");
        break;
    case VIR_STORAGE_POOL_NETFS_LAST:
        break;
    }
}


static char *
virStorageMountOptionsString(const virStoragePoolDef *def)
{
    const virStoragePoolFSMountOpts *opts = virStoragePoolFSMountOptsGet(def);
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    if (def->type == VIR_STORAGE_POOL_NETFS)
        virStorageMountAddNetfsOptions(&buf, def, opts);

    if (opts) {
        for (i = 0; i < opts->noptions; i++)
            virBufferAsprintf(&buf, "%s,", opts->options[i]);
    }

    virBufferAddLit(&buf, VIR_STORAGE_MOUNT_BASE_OPTIONS);

    return virBufferContentAndReset(&buf);
}


/* The minutes of a retry=N the user's fs:mount_opts give mount.nfs, or
 * 0 (we add retry=0). */
static unsigned int
virStorageMountOptionsRetryMinutes(const virStoragePoolFSMountOpts *opts)
{
    unsigned int minutes = 0;
    size_t i;

    if (!opts)
        return 0;

    for (i = 0; i < opts->noptions; i++) {
        if (STRPREFIX(opts->options[i], "retry=") &&
            virStrToLong_ui(opts->options[i] + strlen("retry="), NULL, 10,
                            &minutes) < 0)
            minutes = 0;
    }
    return MIN(minutes, 24 * 60);
}


/*
 * retry=0 alone does not bound an NFS mount: the kernel's own mount
 * RPCs to a host that drops packets wait out TCP connect and RPC
 * timeouts (about 3 minutes for NFSv4); mount.cifs and mount.glusterfs
 * wait on their server too (mount.glusterfs's stat of the new mount
 * point waits for its FUSE client, which waits for glusterd, for ever
 * when glusterd accepts and never answers).  So every netfs mount has a
 * time limit; a user who asked mount.nfs for retry=N minutes gets them
 * on top.  A glusterfs mount of a server that answers takes a tenth of
 * a second.  An fs pool's mount of a local device has none: replaying a
 * big journal takes the time it takes.
 */
unsigned int
virStorageMountTimeLimit(const virStoragePoolDef *def)
{
    if (def->type != VIR_STORAGE_POOL_NETFS)
        return 0;

    switch ((virStoragePoolFormatFileSystemNet) def->source.format) {
    case VIR_STORAGE_POOL_NETFS_AUTO:
    case VIR_STORAGE_POOL_NETFS_NFS:
        return VIR_STORAGE_MOUNT_NFS_TIME_LIMIT +
               60 * virStorageMountOptionsRetryMinutes(virStoragePoolFSMountOptsGet(def));
    case VIR_STORAGE_POOL_NETFS_GLUSTERFS:
        return VIR_STORAGE_MOUNT_GLUSTER_TIME_LIMIT;
    case VIR_STORAGE_POOL_NETFS_CIFS:
    case VIR_STORAGE_POOL_NETFS_LAST:
        break;
    }
    return VIR_STORAGE_MOUNT_NETFS_TIME_LIMIT;
}


virCommand *
virStorageMountBuildCommand(const virStoragePoolDef *def,
                            const char *source)
{
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *options = virStorageMountOptionsString(def);
    const char *type = virStorageMountTypeArg(def);

    if (!def->target.path || def->target.path[0] == '-') {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("target '%s' of pool '%s' starts with '-', which mount would read as an option: give an absolute path"),
                       NULLSTR(def->target.path), def->name);
        return NULL;
    }

    cmd = virCommandNew("mount");

    if (type)
        virCommandAddArgList(cmd, "-t", type, NULL);
    virCommandAddArgList(cmd, "-o", options, "--", source, def->target.path,
                         NULL);

    return g_steal_pointer(&cmd);
}


/*
 * Not umount(8): it tells why it failed only in a message translated
 * into the daemon's locale ("target is busy", "Ziel ist beschäftigt"),
 * where umount2(2) gives the errno.  What umount(8) does besides the
 * call is not needed here: it would resolve links on the target and,
 * for NFSv3, have umount.nfs tell the server's mountd, whose list of
 * clients is only informative.
 */
int
virStorageUmountQuiet(const char *target)
{
    if (umount2(target, UMOUNT_NOFOLLOW) < 0)
        return -errno;
    return 0;
}


/*
 * The FUSE client of a glusterfs mount.
 *
 * mount.glusterfs starts the glusterfs client, which daemonizes (a
 * session of its own, out of the process group that a time limit
 * stops) and mounts the FUSE file system before it has reached the
 * server.  A mount stopped at its limit thus leaves both behind: a
 * mount point on which every access waits for the client, and a client
 * that retries the server for ever.  The client is found by what it
 * runs for: a process of root in our mount namespace whose program is
 * glusterfs and whose last argument is the mount point.
 */
#define VIR_STORAGE_MOUNT_GLUSTER_CLIENT "glusterfs"
#define VIR_STORAGE_MOUNT_CMDLINE_MAX (64 * 1024)
#define VIR_STORAGE_MOUNT_CLIENT_POLL_US (50 * 1000)


static bool
virStorageMountIsGlusterClient(const char *pid,
                               const char *target,
                               const struct stat *ourNs)
{
    g_autofree char *procDir = g_strdup_printf("/proc/%s", pid);
    g_autofree char *nsPath = g_strdup_printf("/proc/%s/ns/mnt", pid);
    g_autofree char *cmdPath = g_strdup_printf("/proc/%s/cmdline", pid);
    g_autofree char *cmdline = NULL;
    g_autofree char *program = NULL;
    const char *last;
    struct stat sb;
    int len;

    if (stat(procDir, &sb) < 0 || sb.st_uid != 0)
        return false;
    if (stat(nsPath, &sb) < 0 ||
        sb.st_dev != ourNs->st_dev || sb.st_ino != ourNs->st_ino)
        return false;

    /* "argv[0]\0argv[1]\0...argv[n]\0" */
    if ((len = virFileReadAllQuiet(cmdPath, VIR_STORAGE_MOUNT_CMDLINE_MAX,
                                   &cmdline)) < 2 ||
        cmdline[len - 1] != '\0')
        return false;

    program = g_path_get_basename(cmdline);
    if (STRNEQ(program, VIR_STORAGE_MOUNT_GLUSTER_CLIENT))
        return false;

    for (last = cmdline + len - 1; last > cmdline && last[-1] != '\0'; last--)
        ;
    return last != cmdline && STREQ(last, target);
}


/* Has @pid ended?  A daemonized client is not our child: PID 1 reaps
 * it, maybe late, so a zombie counts as ended. */
static bool
virStorageMountProcessEnded(pid_t pid)
{
    g_autofree char *statPath = g_strdup_printf("/proc/%lld/stat", (long long)pid);
    g_autofree char *content = NULL;
    const char *end;

    if (virFileReadAllQuiet(statPath, 4096, &content) < 0)
        return true;
    /* "pid (comm) S ...": comm may hold anything, the state follows
     * the last ')' */
    if (!(end = strrchr(content, ')')))
        return true;
    return end[1] == ' ' && end[2] == 'Z';
}


/* Sends @sig to the @pids still running and waits up to
 * VIR_STORAGE_COMMAND_KILL_GRACE seconds for them to end; true when
 * they all did. */
static bool
virStorageMountSignalAndWait(GArray *pids,
                             int sig)
{
    gint64 deadline = g_get_monotonic_time() +
                      VIR_STORAGE_COMMAND_KILL_GRACE * G_USEC_PER_SEC;
    size_t i;

    for (i = 0; i < pids->len; i++) {
        pid_t pid = g_array_index(pids, pid_t, i);

        if (!virStorageMountProcessEnded(pid))
            kill(pid, sig);
    }

    for (;;) {
        bool running = false;

        for (i = 0; i < pids->len; i++) {
            if (!virStorageMountProcessEnded(g_array_index(pids, pid_t, i)))
                running = true;
        }
        if (!running)
            return true;
        if (g_get_monotonic_time() >= deadline)
            return false;
        g_usleep(VIR_STORAGE_MOUNT_CLIENT_POLL_US);
    }
}


int
virStorageMountStopGlusterClientsQuiet(const char *target)
{
    g_autoptr(DIR) dir = NULL;
    g_autoptr(GArray) pids = g_array_new(false, false, sizeof(pid_t));
    struct dirent *ent;
    struct stat ourNs;
    int rc;

    if (stat("/proc/self/ns/mnt", &ourNs) < 0)
        return -errno;
    if (virDirOpenQuiet(&dir, "/proc") < 0)
        return -errno;

    while ((rc = virDirRead(dir, &ent, NULL)) > 0) {
        long long pid;

        if (virStrToLong_ll(ent->d_name, NULL, 10, &pid) < 0 || pid <= 1 ||
            pid == getpid())
            continue;
        if (virStorageMountIsGlusterClient(ent->d_name, target, &ourNs)) {
            pid_t p = pid;

            g_array_append_val(pids, p);
        }
    }
    if (rc < 0)
        return -errno;

    if (pids->len == 0)
        return 0;
    if (!virStorageMountSignalAndWait(pids, SIGTERM) &&
        !virStorageMountSignalAndWait(pids, SIGKILL))
        return -ETIMEDOUT;
    return pids->len;
}


virCommand *
virStorageUmountLazyBuildCommand(const char *target)
{
    /* --internal-only: no umount.nfs, whose UMNT call to the server's
     * mountd would wait on a server that does not answer */
    return virCommandNewArgList("umount", "--lazy", "--internal-only", "--",
                                target, NULL);
}


virCommand *
virStorageMountProbeBuildCommand(const char *target)
{
    /* statfs(2) of an NFS mount is always a call to the server (FSSTAT,
     * or GETATTR of the file system attributes): never answered from
     * the client's cache */
    return virCommandNewArgList("stat", "--file-system", "--format=%b", "--",
                                target, NULL);
}


G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageMountLibmntTable, mnt_unref_table);


/* libmount's parser skips the lines it cannot read, as the kernel
 * never writes them; it decodes the octal escapes (\040 for a space)
 * of paths. */
static virStorageMountLibmntTable *
virStorageMountTableRead(const char *table)
{
    g_autoptr(virStorageMountLibmntTable) tb = NULL;
    int rc;

    /* it fails only for lack of memory, which g_new aborts on too */
    if (!(tb = mnt_new_table()))
        abort();

    if ((rc = mnt_table_parse_file(tb, table)) < 0) {
        virReportSystemError(-rc, _("cannot read the mount table '%s'"), table);
        return NULL;
    }

    return g_steal_pointer(&tb);
}


int
virStorageMountTableFindTarget(const char *table,
                               const char *target,
                               char **source)
{
    g_autoptr(virStorageMountLibmntTable) tb = NULL;
    struct libmnt_fs *fs;

    if (!(tb = virStorageMountTableRead(table)))
        return -1;

    /* no path cache given to libmount: it compares @target with the
     * mount points as the kernel wrote them, resolving no link and
     * calling no stat(2), which would wait on a silent NFS server */
    if (!(fs = mnt_table_find_target(tb, target, MNT_ITER_BACKWARD)))
        return 0;

    if (source)
        *source = g_strdup(mnt_fs_get_source(fs));
    return 1;
}


int
virStorageMountTableFindDevice(const char *table,
                               dev_t devno,
                               char **mountpoint)
{
    g_autoptr(virStorageMountLibmntTable) tb = NULL;
    struct libmnt_fs *fs;

    if (!(tb = virStorageMountTableRead(table)))
        return -1;

    if (!(fs = mnt_table_find_devno(tb, devno, MNT_ITER_FORWARD)))
        return 0;

    *mountpoint = g_strdup(mnt_fs_get_target(fs));
    return 1;
}


int
virStorageMountIsMounted(const char *target)
{
    g_autofree char *resolved = NULL;

    /* the kernel lists mount points with symlinks resolved; a target
     * that does not exist is not a mount point, whatever its spelling */
    if (!(resolved = virFileCanonicalizePath(target)))
        return 0;

    return virStorageMountTableFindTarget(VIR_STORAGE_MOUNT_TABLE, resolved,
                                          NULL);
}
