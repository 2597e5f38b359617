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
    OPT_FLAG,       /* no value: noatime */
    OPT_NUMBER,     /* decimal: rsize=1048576 */
    OPT_SIZE,       /* decimal with an optional k, m or g: logbsize=256k */
    OPT_OCTAL,      /* a mode: umask=022 */
    OPT_VERSION,    /* digits separated by dots: vers=4.2, vers=3.1.1 */
    OPT_ENUM,       /* one of the '|'-separated words of .values */
    OPT_ALGO,       /* lowercase word, optional ':' and a level: zstd:3 */
    OPT_HOSTS,      /* names or addresses separated by ':' */
    OPT_NAME,       /* a user or domain name: letters, digits, . _ - @ */
} mountOptKind;

#define POOL_FS (1u << 0)
#define POOL_NETFS (1u << 1)
#define POOL_BOTH (POOL_FS | POOL_NETFS)

typedef struct {
    const char *name;
    unsigned int pools;
    mountOptKind kind;
    const char *values;     /* OPT_ENUM only */
} mountOpt;

#define NUMBER_MAX_DIGITS 10

static const mountOpt mountOpts[] = {
    /* any file system: access times, sync, read-only, and the three
     * options every pool gets anyway */
    { "ro", POOL_BOTH, OPT_FLAG, NULL },
    { "rw", POOL_BOTH, OPT_FLAG, NULL },
    { "sync", POOL_BOTH, OPT_FLAG, NULL },
    { "async", POOL_BOTH, OPT_FLAG, NULL },
    { "dirsync", POOL_BOTH, OPT_FLAG, NULL },
    { "atime", POOL_BOTH, OPT_FLAG, NULL },
    { "noatime", POOL_BOTH, OPT_FLAG, NULL },
    { "diratime", POOL_BOTH, OPT_FLAG, NULL },
    { "nodiratime", POOL_BOTH, OPT_FLAG, NULL },
    { "relatime", POOL_BOTH, OPT_FLAG, NULL },
    { "norelatime", POOL_BOTH, OPT_FLAG, NULL },
    { "strictatime", POOL_BOTH, OPT_FLAG, NULL },
    { "nostrictatime", POOL_BOTH, OPT_FLAG, NULL },
    { "lazytime", POOL_BOTH, OPT_FLAG, NULL },
    { "nolazytime", POOL_BOTH, OPT_FLAG, NULL },
    { "nodev", POOL_BOTH, OPT_FLAG, NULL },
    { "nosuid", POOL_BOTH, OPT_FLAG, NULL },
    { "noexec", POOL_BOTH, OPT_FLAG, NULL },

    /* ownership of file systems that have none (vfat, cifs) */
    { "uid", POOL_BOTH, OPT_NUMBER, NULL },
    { "gid", POOL_BOTH, OPT_NUMBER, NULL },

    /* local file systems: ext2/3/4 */
    { "discard", POOL_FS, OPT_FLAG, NULL },
    { "nodiscard", POOL_FS, OPT_FLAG, NULL },
    { "barrier", POOL_FS, OPT_FLAG, NULL },
    { "nobarrier", POOL_FS, OPT_FLAG, NULL },
    { "commit", POOL_FS, OPT_NUMBER, NULL },
    { "data", POOL_FS, OPT_ENUM, "ordered|writeback|journal" },
    { "errors", POOL_FS, OPT_ENUM, "continue|remount-ro" },
    { "journal_checksum", POOL_FS, OPT_FLAG, NULL },
    { "nojournal_checksum", POOL_FS, OPT_FLAG, NULL },
    { "delalloc", POOL_FS, OPT_FLAG, NULL },
    { "nodelalloc", POOL_FS, OPT_FLAG, NULL },
    { "auto_da_alloc", POOL_FS, OPT_FLAG, NULL },
    { "noauto_da_alloc", POOL_FS, OPT_FLAG, NULL },
    { "stripe", POOL_FS, OPT_NUMBER, NULL },
    { "inode_readahead_blks", POOL_FS, OPT_NUMBER, NULL },
    /* xfs */
    { "logbufs", POOL_FS, OPT_NUMBER, NULL },
    { "logbsize", POOL_FS, OPT_SIZE, NULL },
    { "allocsize", POOL_FS, OPT_SIZE, NULL },
    { "largeio", POOL_FS, OPT_FLAG, NULL },
    { "nolargeio", POOL_FS, OPT_FLAG, NULL },
    { "inode32", POOL_FS, OPT_FLAG, NULL },
    { "inode64", POOL_FS, OPT_FLAG, NULL },
    { "swalloc", POOL_FS, OPT_FLAG, NULL },
    { "wsync", POOL_FS, OPT_FLAG, NULL },
    { "sunit", POOL_FS, OPT_NUMBER, NULL },
    { "swidth", POOL_FS, OPT_NUMBER, NULL },
    /* btrfs */
    { "compress", POOL_FS, OPT_FLAG, NULL },
    { "compress", POOL_FS, OPT_ALGO, NULL },
    { "compress-force", POOL_FS, OPT_ALGO, NULL },
    { "autodefrag", POOL_FS, OPT_FLAG, NULL },
    { "noautodefrag", POOL_FS, OPT_FLAG, NULL },
    { "ssd", POOL_FS, OPT_FLAG, NULL },
    { "nossd", POOL_FS, OPT_FLAG, NULL },
    { "ssd_spread", POOL_FS, OPT_FLAG, NULL },
    { "nossd_spread", POOL_FS, OPT_FLAG, NULL },
    { "space_cache", POOL_FS, OPT_ENUM, "v1|v2" },
    { "datacow", POOL_FS, OPT_FLAG, NULL },
    { "nodatacow", POOL_FS, OPT_FLAG, NULL },
    { "datasum", POOL_FS, OPT_FLAG, NULL },
    { "nodatasum", POOL_FS, OPT_FLAG, NULL },
    { "flushoncommit", POOL_FS, OPT_FLAG, NULL },
    { "noflushoncommit", POOL_FS, OPT_FLAG, NULL },
    { "thread_pool", POOL_FS, OPT_NUMBER, NULL },
    /* vfat and other file systems without owners */
    { "umask", POOL_FS, OPT_OCTAL, NULL },
    { "fmask", POOL_FS, OPT_OCTAL, NULL },
    { "dmask", POOL_FS, OPT_OCTAL, NULL },

    /* network file systems: nfs(5) */
    { "vers", POOL_NETFS, OPT_VERSION, NULL },
    { "nfsvers", POOL_NETFS, OPT_VERSION, NULL },
    { "minorversion", POOL_NETFS, OPT_NUMBER, NULL },
    { "mountvers", POOL_NETFS, OPT_NUMBER, NULL },
    { "proto", POOL_NETFS, OPT_ENUM, "tcp|udp|tcp6|udp6|rdma|rdma6" },
    { "mountproto", POOL_NETFS, OPT_ENUM, "tcp|udp|tcp6|udp6" },
    { "tcp", POOL_NETFS, OPT_FLAG, NULL },
    { "udp", POOL_NETFS, OPT_FLAG, NULL },
    { "port", POOL_NETFS, OPT_NUMBER, NULL },
    { "mountport", POOL_NETFS, OPT_NUMBER, NULL },
    { "rsize", POOL_NETFS, OPT_NUMBER, NULL },
    { "wsize", POOL_NETFS, OPT_NUMBER, NULL },
    { "timeo", POOL_NETFS, OPT_NUMBER, NULL },
    { "retrans", POOL_NETFS, OPT_NUMBER, NULL },
    { "retry", POOL_NETFS, OPT_NUMBER, NULL },
    { "soft", POOL_NETFS, OPT_FLAG, NULL },
    { "softerr", POOL_NETFS, OPT_FLAG, NULL },
    { "hard", POOL_NETFS, OPT_FLAG, NULL },
    { "intr", POOL_NETFS, OPT_FLAG, NULL },
    { "nointr", POOL_NETFS, OPT_FLAG, NULL },
    { "lock", POOL_NETFS, OPT_FLAG, NULL },
    { "nolock", POOL_NETFS, OPT_FLAG, NULL },
    { "local_lock", POOL_NETFS, OPT_ENUM, "none|all|flock|posix" },
    { "ac", POOL_NETFS, OPT_FLAG, NULL },
    { "noac", POOL_NETFS, OPT_FLAG, NULL },
    { "actimeo", POOL_NETFS, OPT_NUMBER, NULL },
    { "acregmin", POOL_NETFS, OPT_NUMBER, NULL },
    { "acregmax", POOL_NETFS, OPT_NUMBER, NULL },
    { "acdirmin", POOL_NETFS, OPT_NUMBER, NULL },
    { "acdirmax", POOL_NETFS, OPT_NUMBER, NULL },
    { "cto", POOL_NETFS, OPT_FLAG, NULL },
    { "nocto", POOL_NETFS, OPT_FLAG, NULL },
    { "lookupcache", POOL_NETFS, OPT_ENUM, "all|none|pos|positive" },
    { "nconnect", POOL_NETFS, OPT_NUMBER, NULL },
    { "max_connect", POOL_NETFS, OPT_NUMBER, NULL },
    { "resvport", POOL_NETFS, OPT_FLAG, NULL },
    { "noresvport", POOL_NETFS, OPT_FLAG, NULL },
    { "sharecache", POOL_NETFS, OPT_FLAG, NULL },
    { "nosharecache", POOL_NETFS, OPT_FLAG, NULL },
    { "rdirplus", POOL_NETFS, OPT_FLAG, NULL },
    { "nordirplus", POOL_NETFS, OPT_FLAG, NULL },
    { "clientaddr", POOL_NETFS, OPT_HOSTS, NULL },
    { "sec", POOL_NETFS, OPT_ENUM,
      "sys|none|krb5|krb5i|krb5p|ntlm|ntlmi|ntlmv2|ntlmv2i|ntlmssp|ntlmsspi" },
    /* cifs (mount.cifs(8)); no credentials= or password= */
    { "username", POOL_NETFS, OPT_NAME, NULL },
    { "user", POOL_NETFS, OPT_NAME, NULL },
    { "domain", POOL_NETFS, OPT_NAME, NULL },
    { "file_mode", POOL_NETFS, OPT_OCTAL, NULL },
    { "dir_mode", POOL_NETFS, OPT_OCTAL, NULL },
    { "cache", POOL_NETFS, OPT_ENUM, "strict|none|loose|singleclient|ro" },
    { "seal", POOL_NETFS, OPT_FLAG, NULL },
    { "nosharesock", POOL_NETFS, OPT_FLAG, NULL },
    { "nobrl", POOL_NETFS, OPT_FLAG, NULL },
    { "serverino", POOL_NETFS, OPT_FLAG, NULL },
    { "noserverino", POOL_NETFS, OPT_FLAG, NULL },
    { "echo_interval", POOL_NETFS, OPT_NUMBER, NULL },
    { "multichannel", POOL_NETFS, OPT_FLAG, NULL },
    { "max_channels", POOL_NETFS, OPT_NUMBER, NULL },
    /* glusterfs (mount.glusterfs); no log-file= */
    { "transport", POOL_NETFS, OPT_ENUM, "tcp|rdma|socket" },
    { "backup-volfile-servers", POOL_NETFS, OPT_HOSTS, NULL },
    { "log-level", POOL_NETFS, OPT_ENUM,
      "CRITICAL|ERROR|WARNING|INFO|DEBUG|TRACE|NONE" },
    { "direct-io-mode", POOL_NETFS, OPT_ENUM, "0|1|enable|disable" },
};

#define DIGITS "0123456789"
#define NAME_CHARS \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@"
#define HOST_CHARS \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:"


static unsigned int
mountOptPoolBit(virStoragePoolType type)
{
    return type == VIR_STORAGE_POOL_FS ? POOL_FS : POOL_NETFS;
}


static bool
mountOptIsNumber(const char *value)
{
    size_t len = strspn(value, DIGITS);

    return len > 0 && len <= NUMBER_MAX_DIGITS && value[len] == '\0';
}


static bool
mountOptIsSize(const char *value)
{
    size_t len = strspn(value, DIGITS);

    if (len == 0 || len > NUMBER_MAX_DIGITS)
        return false;
    if (value[len] == '\0')
        return true;
    return strchr("kKmMgG", value[len]) && value[len + 1] == '\0';
}


static bool
mountOptIsOctal(const char *value)
{
    size_t len = strspn(value, "01234567");

    return len > 0 && len <= 4 && value[len] == '\0';
}


/* 3, 4.2, 3.1.1, 3.02 */
static bool
mountOptIsVersion(const char *value)
{
    const char *p = value;
    size_t parts = 0;

    while (true) {
        size_t len = strspn(p, DIGITS);

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
mountOptIsEnum(const char *value,
               const char *values)
{
    g_auto(GStrv) words = g_strsplit(values, "|", -1);

    return g_strv_contains((const char * const *) words, value);
}


/* zlib, lzo, zstd, zstd:3 */
static bool
mountOptIsAlgo(const char *value)
{
    size_t len = strspn(value, "abcdefghijklmnopqrstuvwxyz");

    if (len == 0)
        return false;
    if (value[len] == '\0')
        return true;
    if (value[len] != ':')
        return false;
    return mountOptIsNumber(value + len + 1) && strlen(value + len + 1) <= 2;
}


static bool
mountOptIsWord(const char *value,
               const char *chars)
{
    size_t len = strspn(value, chars);

    return len > 0 && value[len] == '\0' && value[0] != '-';
}


static bool
mountOptValueFits(const mountOpt *opt,
                  const char *value)
{
    switch (opt->kind) {
    case OPT_FLAG:
        return !value;
    case OPT_NUMBER:
        return value && mountOptIsNumber(value);
    case OPT_SIZE:
        return value && mountOptIsSize(value);
    case OPT_OCTAL:
        return value && mountOptIsOctal(value);
    case OPT_VERSION:
        return value && mountOptIsVersion(value);
    case OPT_ENUM:
        return value && mountOptIsEnum(value, opt->values);
    case OPT_ALGO:
        return value && mountOptIsAlgo(value);
    case OPT_HOSTS:
        return value && mountOptIsWord(value, HOST_CHARS);
    case OPT_NAME:
        return value && mountOptIsWord(value, NAME_CHARS);
    }

    return false;
}


/* "rsize=N", "data=ordered|writeback|journal", "noatime" */
static void
mountOptFormat(virBuffer *buf,
               const mountOpt *opt)
{
    switch (opt->kind) {
    case OPT_FLAG:
        virBufferAdd(buf, opt->name, -1);
        return;
    case OPT_NUMBER:
        virBufferAsprintf(buf, "%s=N", opt->name);
        return;
    case OPT_SIZE:
        virBufferAsprintf(buf, "%s=N[k|m|g]", opt->name);
        return;
    case OPT_OCTAL:
        virBufferAsprintf(buf, "%s=MODE", opt->name);
        return;
    case OPT_VERSION:
        virBufferAsprintf(buf, "%s=VERSION", opt->name);
        return;
    case OPT_ENUM:
        virBufferAsprintf(buf, "%s=%s", opt->name, opt->values);
        return;
    case OPT_ALGO:
        virBufferAsprintf(buf, "%s=ALGORITHM[:LEVEL]", opt->name);
        return;
    case OPT_HOSTS:
        virBufferAsprintf(buf, "%s=HOST[:HOST...]", opt->name);
        return;
    case OPT_NAME:
        virBufferAsprintf(buf, "%s=NAME", opt->name);
        return;
    }
}


char *
virStoragePoolFSMountOptionsAccepted(virStoragePoolType type)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    unsigned int bit = mountOptPoolBit(type);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(mountOpts); i++) {
        if (!(mountOpts[i].pools & bit))
            continue;
        mountOptFormat(&buf, &mountOpts[i]);
        virBufferAddLit(&buf, ", ");
    }
    virBufferTrim(&buf, ", ");

    return virBufferContentAndReset(&buf);
}


static char *
mountOptExample(const mountOpt *opt)
{
    g_autofree char *first = NULL;

    switch (opt->kind) {
    case OPT_FLAG:
        return g_strdup(opt->name);
    case OPT_NUMBER:
        return g_strdup_printf("%s=1", opt->name);
    case OPT_SIZE:
        return g_strdup_printf("%s=256k", opt->name);
    case OPT_OCTAL:
        return g_strdup_printf("%s=0640", opt->name);
    case OPT_VERSION:
        return g_strdup_printf("%s=3.1.1", opt->name);
    case OPT_ENUM:
        first = g_strndup(opt->values, strcspn(opt->values, "|"));
        return g_strdup_printf("%s=%s", opt->name, first);
    case OPT_ALGO:
        return g_strdup_printf("%s=zstd:3", opt->name);
    case OPT_HOSTS:
        return g_strdup_printf("%s=gl1.example.com:192.0.2.7", opt->name);
    case OPT_NAME:
        return g_strdup_printf("%s=vm-store@EXAMPLE.COM", opt->name);
    }

    return NULL;
}


GStrv
virStoragePoolFSMountOptionsExamples(virStoragePoolType type)
{
    g_autoptr(GPtrArray) examples = g_ptr_array_new_with_free_func(g_free);
    unsigned int bit = mountOptPoolBit(type);
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(mountOpts); i++) {
        if (mountOpts[i].pools & bit)
            g_ptr_array_add(examples, mountOptExample(&mountOpts[i]));
    }
    g_ptr_array_add(examples, NULL);

    return (GStrv) g_ptr_array_free(g_steal_pointer(&examples), FALSE);
}


/* The description of what @opt's value must be, for the error message. */
static char *
mountOptValueHelp(const mountOpt *opt)
{
    g_auto(GStrv) words = NULL;
    g_autofree char *values = NULL;

    switch (opt->kind) {
    case OPT_FLAG:
        break;
    case OPT_NUMBER:
        return g_strdup(_("a decimal number of at most 10 digits"));
    case OPT_SIZE:
        return g_strdup(_("a decimal number of bytes, optionally followed by k, m or g"));
    case OPT_OCTAL:
        return g_strdup(_("an octal mode such as 0640"));
    case OPT_VERSION:
        return g_strdup(_("a version such as 4.2 or 3.1.1"));
    case OPT_ENUM:
        words = g_strsplit(opt->values, "|", -1);
        values = g_strjoinv(", ", words);
        return g_strdup_printf(_("one of %s"), values);
    case OPT_ALGO:
        return g_strdup(_("a compression algorithm such as zstd, optionally followed by ':' and a level"));
    case OPT_HOSTS:
        return g_strdup(_("host names or addresses separated by ':'"));
    case OPT_NAME:
        return g_strdup(_("a name of letters, digits, '.', '_', '-' and '@'"));
    }

    return NULL;
}


int
virStoragePoolFSMountOptionCheck(virStoragePoolType type,
                                 const char *poolname,
                                 const char *option)
{
    unsigned int bit = mountOptPoolBit(type);
    g_autofree char *key = NULL;
    g_autofree char *accepted = NULL;
    const char *value = NULL;
    const mountOpt *known = NULL;
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

    for (i = 0; i < G_N_ELEMENTS(mountOpts); i++) {
        if (!(mountOpts[i].pools & bit) || STRNEQ(mountOpts[i].name, key))
            continue;
        if (mountOptValueFits(&mountOpts[i], value))
            return 0;
        known = &mountOpts[i];
    }

    if (known && known->kind == OPT_FLAG) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' gives a value to '%s', which takes none"),
                       option, poolname, key);
        return -1;
    }

    if (known && !value) {
        g_autofree char *help = mountOptValueHelp(known);

        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' needs a value: write it as '%s=VALUE', where VALUE is %s"),
                       option, poolname, key, help);
        return -1;
    }

    if (known) {
        g_autofree char *help = mountOptValueHelp(known);

        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("mount option '%s' of pool '%s' has a value its option does not take: '%s' takes %s"),
                       option, poolname, key, help);
        return -1;
    }

    accepted = virStoragePoolFSMountOptionsAccepted(type);
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("mount option '%s' of %s pool '%s' is not accepted: the pool is always mounted nodev,nosuid,noexec, and these options are accepted: %s"),
                   option, virStoragePoolTypeToString(type), poolname, accepted);
    return -1;
}
