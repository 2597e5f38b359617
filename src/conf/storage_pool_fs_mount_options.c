/*
 * storage_pool_fs_mount_options.c: the mount options fs and netfs pools accept
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <config.h>

#include "storage_pool_fs_mount_options.h"
#include "virbuffer.h"
#include "virerror.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/*
 * Who may define a pool is not necessarily root: libvirt's ACLs can let
 * a client define and start pools without any other right on the host.
 * mount(8) runs as root, and its -o list reaches much further than the
 * file system's tuning: "suid", "dev" and "exec" undo the nodev,nosuid,
 * noexec every pool mount gets; "remount", "bind", "move", "loop",
 * "offset=" change what is mounted; "X-mount.mkdir", "X-mount.owner",
 * "X-mount.idmap", "helper=", "uhelper=" make mount(8) act on other host
 * paths or run helpers; "credentials=" (cifs) and "log-file=" (glusterfs)
 * make root read or write a host file of the client's choice, and a
 * credentials file is then sent to a server the client chose; the
 * "context=" family relabels the mount for SELinux; a comma inside one
 * option smuggles in any of those.
 *
 * So this is an allow-list: options that only tune performance, caching,
 * journaling, or the network protocol, plus the file ownership of file
 * systems without owners (vfat, cifs).  Names are compared whole, values
 * are checked by kind (numbers, modes, versions, listed words, host and
 * user names of letters, digits and ". _ - @ :"): no comma, quote, space
 * or path can get through.  The RNG schema
 * (schemas/storagepoolfs.rng) says the same, and a test checks that
 * every example below validates against it.
 */

typedef enum {
    VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG,       /* no value: noatime */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER,     /* decimal: rsize=1048576 */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_SIZE,       /* decimal with an optional k, m or g: logbsize=256k */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL,      /* a mode: umask=022 */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_VERSION,    /* digits separated by dots: vers=4.2, vers=3.1.1 */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM,       /* one of the '|'-separated words of .values */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_ALGO,       /* lowercase word, optional ':' and a level: zstd:3 */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_HOSTS,      /* names or addresses separated by ':' */
    VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME,       /* a user or domain name: letters, digits, . _ - @ */
} virStoragePoolFSMountOptKind;

#define VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS (1u << 0)
#define VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS (1u << 1)
#define VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH (VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS | VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS)

typedef struct {
    const char *name;
    unsigned int pools;
    virStoragePoolFSMountOptKind kind;
    const char *values;     /* VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM only */
} virStoragePoolFSMountOpt;

#define VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER_MAX_DIGITS 10

static const virStoragePoolFSMountOpt virStoragePoolFSMountOpts[] = {
    /* any file system: access times, sync, read-only, and the three
     * options every pool gets anyway */
    { "ro", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "rw", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "sync", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "async", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "dirsync", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "atime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noatime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "diratime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nodiratime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "relatime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "norelatime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "strictatime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nostrictatime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "lazytime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nolazytime", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nodev", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nosuid", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noexec", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },

    /* ownership of file systems that have none (vfat, cifs) */
    { "uid", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "gid", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_BOTH, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },

    /* local file systems: ext2/3/4 */
    { "discard", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nodiscard", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "barrier", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nobarrier", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "commit", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "data", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "ordered|writeback|journal" },
    { "errors", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "continue|remount-ro" },
    { "journal_checksum", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nojournal_checksum", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "delalloc", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nodelalloc", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "auto_da_alloc", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noauto_da_alloc", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "stripe", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "inode_readahead_blks", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    /* xfs */
    { "logbufs", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "logbsize", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_SIZE, NULL },
    { "allocsize", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_SIZE, NULL },
    { "largeio", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nolargeio", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "inode32", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "inode64", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "swalloc", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "wsync", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "sunit", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "swidth", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    /* btrfs */
    { "compress", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "compress", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ALGO, NULL },
    { "compress-force", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ALGO, NULL },
    { "autodefrag", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noautodefrag", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "ssd", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nossd", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "ssd_spread", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nossd_spread", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "space_cache", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "v1|v2" },
    { "datacow", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nodatacow", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "datasum", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nodatasum", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "flushoncommit", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noflushoncommit", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "thread_pool", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    /* vfat and other file systems without owners */
    { "umask", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL, NULL },
    { "fmask", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL, NULL },
    { "dmask", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS, VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL, NULL },

    /* network file systems: nfs(5) */
    { "vers", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_VERSION, NULL },
    { "nfsvers", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_VERSION, NULL },
    { "minorversion", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "mountvers", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "proto", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "tcp|udp|tcp6|udp6|rdma|rdma6" },
    { "mountproto", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "tcp|udp|tcp6|udp6" },
    { "tcp", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "udp", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "port", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "mountport", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "rsize", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "wsize", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "timeo", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "retrans", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "retry", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "soft", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "softerr", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "hard", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "intr", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nointr", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "lock", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nolock", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "local_lock", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "none|all|flock|posix" },
    { "ac", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noac", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "actimeo", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "acregmin", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "acregmax", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "acdirmin", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "acdirmax", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "cto", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nocto", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "lookupcache", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "all|none|pos|positive" },
    { "nconnect", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "max_connect", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "resvport", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noresvport", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "sharecache", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nosharecache", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "rdirplus", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nordirplus", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "clientaddr", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_HOSTS, NULL },
    { "sec", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM,
      "sys|none|krb5|krb5i|krb5p|ntlm|ntlmi|ntlmv2|ntlmv2i|ntlmssp|ntlmsspi" },
    /* cifs (mount.cifs(8)); no credentials= or password= */
    { "username", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME, NULL },
    { "user", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME, NULL },
    { "domain", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME, NULL },
    { "file_mode", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL, NULL },
    { "dir_mode", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL, NULL },
    { "cache", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "strict|none|loose|singleclient|ro" },
    { "seal", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nosharesock", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "nobrl", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "serverino", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "noserverino", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "echo_interval", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    { "multichannel", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG, NULL },
    { "max_channels", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER, NULL },
    /* glusterfs (mount.glusterfs); no log-file= */
    { "transport", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "tcp|rdma|socket" },
    { "backup-volfile-servers", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_HOSTS, NULL },
    { "log-level", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM,
      "CRITICAL|ERROR|WARNING|INFO|DEBUG|TRACE|NONE" },
    { "direct-io-mode", VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS, VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM, "0|1|enable|disable" },
};

#define VIR_STORAGE_POOL_FS_MOUNT_OPT_DIGITS "0123456789"
#define VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME_CHARS \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@"
#define VIR_STORAGE_POOL_FS_MOUNT_OPT_HOST_CHARS \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:"


static unsigned int
virStoragePoolFSMountOptPoolBit(virStoragePoolType type)
{
    return type == VIR_STORAGE_POOL_FS ? VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_FS : VIR_STORAGE_POOL_FS_MOUNT_OPT_POOL_NETFS;
}


static bool
virStoragePoolFSMountOptIsNumber(const char *value)
{
    size_t len = strspn(value, VIR_STORAGE_POOL_FS_MOUNT_OPT_DIGITS);

    return len > 0 && len <= VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER_MAX_DIGITS && value[len] == '\0';
}


static bool
virStoragePoolFSMountOptIsSize(const char *value)
{
    size_t len = strspn(value, VIR_STORAGE_POOL_FS_MOUNT_OPT_DIGITS);

    if (len == 0 || len > VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER_MAX_DIGITS)
        return false;
    if (value[len] == '\0')
        return true;
    return strchr("kKmMgG", value[len]) && value[len + 1] == '\0';
}


static bool
virStoragePoolFSMountOptIsOctal(const char *value)
{
    size_t len = strspn(value, "01234567");

    return len > 0 && len <= 4 && value[len] == '\0';
}


/* 3, 4.2, 3.1.1, 3.02 */
static bool
virStoragePoolFSMountOptIsVersion(const char *value)
{
    const char *p = value;
    size_t parts = 0;

    while (true) {
        size_t len = strspn(p, VIR_STORAGE_POOL_FS_MOUNT_OPT_DIGITS);

        if (len == 0 || len > 3 || ++parts > 3)
            return false;
        p += len;
        if (*p == '\0')
            return true;
        if (*p != '.')
            return false;
        p++;
    }
}


static bool
virStoragePoolFSMountOptIsEnum(const char *value,
                               const char *values)
{
    g_auto(GStrv) words = g_strsplit(values, "|", -1);

    return g_strv_contains((const char * const *) words, value);
}


/* zlib, lzo, zstd, zstd:3 */
static bool
virStoragePoolFSMountOptIsAlgo(const char *value)
{
    size_t len = strspn(value, "abcdefghijklmnopqrstuvwxyz");

    if (len == 0)
        return false;
    if (value[len] == '\0')
        return true;
    if (value[len] != ':')
        return false;
    return virStoragePoolFSMountOptIsNumber(value + len + 1) && strlen(value + len + 1) <= 2;
}


static bool
virStoragePoolFSMountOptIsWord(const char *value,
                               const char *chars)
{
    size_t len = strspn(value, chars);

    return len > 0 && value[len] == '\0' && value[0] != '-';
}


static bool
virStoragePoolFSMountOptValueFits(const virStoragePoolFSMountOpt *opt,
                                  const char *value)
{
    switch (opt->kind) {
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG:
        return !value;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER:
        return value && virStoragePoolFSMountOptIsNumber(value);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_SIZE:
        return value && virStoragePoolFSMountOptIsSize(value);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL:
        return value && virStoragePoolFSMountOptIsOctal(value);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_VERSION:
        return value && virStoragePoolFSMountOptIsVersion(value);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM:
        return value && virStoragePoolFSMountOptIsEnum(value, opt->values);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ALGO:
        return value && virStoragePoolFSMountOptIsAlgo(value);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_HOSTS:
        return value && virStoragePoolFSMountOptIsWord(value, VIR_STORAGE_POOL_FS_MOUNT_OPT_HOST_CHARS);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME:
        return value && virStoragePoolFSMountOptIsWord(value, VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME_CHARS);
    }

    return false;
}


/* "rsize=N", "data=ordered|writeback|journal", "noatime" */
static void
virStoragePoolFSMountOptFormat(virBuffer *buf,
                               const virStoragePoolFSMountOpt *opt)
{
    switch (opt->kind) {
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG:
        virBufferAdd(buf, opt->name, -1);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER:
        virBufferAsprintf(buf, "%s=N", opt->name);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_SIZE:
        virBufferAsprintf(buf, "%s=N[k|m|g]", opt->name);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL:
        virBufferAsprintf(buf, "%s=MODE", opt->name);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_VERSION:
        virBufferAsprintf(buf, "%s=VERSION", opt->name);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM:
        virBufferAsprintf(buf, "%s=%s", opt->name, opt->values);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ALGO:
        virBufferAsprintf(buf, "%s=ALGORITHM[:LEVEL]", opt->name);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_HOSTS:
        virBufferAsprintf(buf, "%s=HOST[:HOST...]", opt->name);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME:
        virBufferAsprintf(buf, "%s=NAME", opt->name);
        return;
    }
}


char *
virStoragePoolFSMountOptionsAccepted(virStoragePoolType type)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    unsigned int bit = virStoragePoolFSMountOptPoolBit(type);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(virStoragePoolFSMountOpts); i++) {
        if (!(virStoragePoolFSMountOpts[i].pools & bit))
            continue;
        virStoragePoolFSMountOptFormat(&buf, &virStoragePoolFSMountOpts[i]);
        virBufferAddLit(&buf, ", ");
    }
    virBufferTrim(&buf, ", ");

    return virBufferContentAndReset(&buf);
}


static char *
virStoragePoolFSMountOptExample(const virStoragePoolFSMountOpt *opt)
{
    g_autofree char *first = NULL;

    switch (opt->kind) {
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG:
        return g_strdup(opt->name);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER:
        return g_strdup_printf("%s=1", opt->name);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_SIZE:
        return g_strdup_printf("%s=256k", opt->name);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL:
        return g_strdup_printf("%s=0640", opt->name);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_VERSION:
        return g_strdup_printf("%s=3.1.1", opt->name);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM:
        first = g_strndup(opt->values, strcspn(opt->values, "|"));
        return g_strdup_printf("%s=%s", opt->name, first);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ALGO:
        return g_strdup_printf("%s=zstd:3", opt->name);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_HOSTS:
        return g_strdup_printf("%s=gl1.example.com:192.0.2.7", opt->name);
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME:
        return g_strdup_printf("%s=vm-store@EXAMPLE.COM", opt->name);
    }

    return NULL;
}


GStrv
virStoragePoolFSMountOptionsExamples(virStoragePoolType type)
{
    g_autoptr(GPtrArray) examples = g_ptr_array_new_with_free_func(g_free);
    unsigned int bit = virStoragePoolFSMountOptPoolBit(type);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(virStoragePoolFSMountOpts); i++) {
        if (virStoragePoolFSMountOpts[i].pools & bit)
            g_ptr_array_add(examples, virStoragePoolFSMountOptExample(&virStoragePoolFSMountOpts[i]));
    }
    g_ptr_array_add(examples, NULL);

    return (GStrv) g_ptr_array_free(g_steal_pointer(&examples), FALSE);
}


/*
 * Reports that @option (of pool @poolname) has no value or a value that
 * @opt's kind does not take: one sentence per kind, saying what the value
 * must be, with an example.
 */
static void
virStoragePoolFSMountOptReportValue(const virStoragePoolFSMountOpt *opt,
                                    const char *poolname,
                                    const char *option)
{
    g_autofree char *example = virStoragePoolFSMountOptExample(opt);
    g_auto(GStrv) words = NULL;
    g_autofree char *values = NULL;

    switch (opt->kind) {
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_FLAG:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' gives a value to '%s', which takes none: write it as '%s'"),
                       option, poolname, opt->name, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NUMBER:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs a decimal number of at most 10 digits as its value, as in '%s'"),
                       option, poolname, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_SIZE:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs a decimal number of bytes, optionally followed by k, m or g, as its value, as in '%s'"),
                       option, poolname, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_OCTAL:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs an octal mode as its value, as in '%s'"),
                       option, poolname, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_VERSION:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs a version of digits separated by dots as its value, as in '%s'"),
                       option, poolname, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ENUM:
        words = g_strsplit(opt->values, "|", -1);
        values = g_strjoinv(", ", words);
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs one of these values: %s (as in '%s')"),
                       option, poolname, values, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_ALGO:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs a compression algorithm, optionally followed by ':' and a level, as its value, as in '%s'"),
                       option, poolname, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_HOSTS:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs host names or addresses separated by ':' as its value, as in '%s'"),
                       option, poolname, example);
        return;
    case VIR_STORAGE_POOL_FS_MOUNT_OPT_NAME:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs a name of letters, digits, '.', '_', '-' and '@' as its value, as in '%s'"),
                       option, poolname, example);
        return;
    }
}


int
virStoragePoolFSMountOptionCheck(virStoragePoolType type,
                                 const char *poolname,
                                 const char *option)
{
    unsigned int bit = virStoragePoolFSMountOptPoolBit(type);
    g_autofree char *key = NULL;
    g_autofree char *accepted = NULL;
    const char *value = NULL;
    const virStoragePoolFSMountOpt *known = NULL;
    size_t keylen;
    size_t i;

    if (strchr(option, ',')) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' holds a comma: give each option in its own <fs:option>"),
                       option, poolname);
        return -1;
    }

    keylen = strcspn(option, "=");
    key = g_strndup(option, keylen);
    if (option[keylen] == '=')
        value = option + keylen + 1;

    for (i = 0; i < G_N_ELEMENTS(virStoragePoolFSMountOpts); i++) {
        if (!(virStoragePoolFSMountOpts[i].pools & bit) || STRNEQ(virStoragePoolFSMountOpts[i].name, key))
            continue;
        if (virStoragePoolFSMountOptValueFits(&virStoragePoolFSMountOpts[i], value))
            return 0;
        known = &virStoragePoolFSMountOpts[i];
    }

    if (known) {
        virStoragePoolFSMountOptReportValue(known, poolname, option);
        return -1;
    }

    accepted = virStoragePoolFSMountOptionsAccepted(type);
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("mount option '%s' of %s pool '%s' is not accepted: the pool is always mounted nodev,nosuid,noexec, and these options are accepted: %s"),
                   option, virStoragePoolTypeToString(type), poolname, accepted);
    return -1;
}
