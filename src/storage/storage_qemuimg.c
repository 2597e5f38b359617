/*
 * storage_qemuimg.c: pure builders of qemu-img command lines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each builder checks that qemu-img can do what the volume definition
 * asks, then lays the arguments out in a fixed order:
 *
 *   qemu-img create  -f FMT [-b BACKING -F BACKINGFMT] [--object SECRET]
 *                    [-o OPTIONS] -- PATH [SIZE]
 *   qemu-img convert -f INFMT -O OUTFMT [--object SECRET] [-o OPTIONS]
 *                    -- INPATH OUTPATH
 *   qemu-img resize  [--shrink] [--preallocation=falloc]
 *                    [--object SECRET] -f FMT -- (PATH | json:{...}) SIZE
 *
 * qemu-img reads options with GNU getopt, which would take any argument
 * starting with '-' for one, wherever it stands; "--" ends them (checked
 * with qemu-img 7.2 for create, convert and resize, --image-opts too:
 * "qemu-img create -f qcow2 -- -V 1M" makes a file named "-V").  resize
 * takes its size off the end of argv before getopt runs, so the size
 * may follow the "--".  Option values (-b BACKING, -o OPTS) are taken
 * whole whatever they start with.
 *
 * Nothing here touches the file system: checking that a backing file is
 * readable or writing the secret file is the caller's job.
 */

#include <config.h>

#include "storage_qemuimg.h"
#include "storage_size.h"
#include "virbitmap.h"
#include "virbuffer.h"
#include "virerror.h"
#include "virfile.h"
#include "virjson.h"
#include "virqemu.h"
#include "virstring.h"

#define VIR_FROM_THIS VIR_FROM_STORAGE

/* What a volume asks of the image qemu-img writes. */
typedef struct {
    const char *driver;         /* qemu-img format name: qcow2, luks... */
    bool encrypted;             /* LUKS, with options under encrypt. or not */
    const char *encPrefix;      /* "encrypt." for qcow2, "" for luks */
} virStorageQemuImgTarget;


static const char *
virStorageQemuImgVolName(virStorageVolDef *vol)
{
    return NULLSTR(vol->name);
}


/*
 * The name qemu-img uses for the plain (unencrypted) format of @vol, or
 * NULL with an error when qemu-img cannot write that format.
 */
static const char *
virStorageQemuImgWritableFormat(virStorageVolDef *vol)
{
    if (vol->type == VIR_STORAGE_VOL_BLOCK)
        return "raw";

    switch ((virStorageFileFormat) vol->target.format) {
    case VIR_STORAGE_FILE_RAW:
    case VIR_STORAGE_FILE_ISO:
        return "raw";
    case VIR_STORAGE_FILE_VPC:
    case VIR_STORAGE_FILE_VDI:
    case VIR_STORAGE_FILE_QCOW:
    case VIR_STORAGE_FILE_QCOW2:
    case VIR_STORAGE_FILE_QED:
    case VIR_STORAGE_FILE_VMDK:
        return virStorageFileFormatTypeToString(vol->target.format);
    case VIR_STORAGE_FILE_AUTO_SAFE:
    case VIR_STORAGE_FILE_AUTO:
    case VIR_STORAGE_FILE_NONE:
    case VIR_STORAGE_FILE_DIR:
    case VIR_STORAGE_FILE_BOCHS:
    case VIR_STORAGE_FILE_CLOOP:
    case VIR_STORAGE_FILE_DMG:
    case VIR_STORAGE_FILE_FAT:
    case VIR_STORAGE_FILE_VHD:
    case VIR_STORAGE_FILE_PLOOP:
    case VIR_STORAGE_FILE_COW:
    case VIR_STORAGE_FILE_LAST:
        break;
    }

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("qemu-img cannot create volume '%s' in format '%s': use raw, qcow, qcow2, qed, vmdk, vpc or vdi"),
                   virStorageQemuImgVolName(vol),
                   NULLSTR(virStorageFileFormatTypeToString(vol->target.format)));
    return NULL;
}


/*
 * The format qemu-img reads @vol as, for the input of a conversion.
 * Every format libvirt can probe is readable except a directory.
 */
static const char *
virStorageQemuImgReadableFormat(virStorageVolDef *vol)
{
    const char *name;

    if (vol->type == VIR_STORAGE_VOL_BLOCK ||
        vol->target.format == VIR_STORAGE_FILE_ISO)
        return "raw";

    if (vol->target.format <= VIR_STORAGE_FILE_NONE ||
        vol->target.format == VIR_STORAGE_FILE_DIR ||
        !(name = virStorageFileFormatTypeToString(vol->target.format))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("qemu-img cannot read volume '%s': its format is unknown"),
                       virStorageQemuImgVolName(vol));
        return NULL;
    }

    return name;
}


/*
 * Check the encryption of @vol: only LUKS done by qemu, in a qcow2 or raw
 * container, with the passphrase in @secretPath.
 */
static int
virStorageQemuImgCheckEncryption(virStorageVolDef *vol,
                                 const char *secretPath)
{
    virStorageEncryption *enc = vol->target.encryption;
    const char *name = virStorageQemuImgVolName(vol);

    if (enc->format != VIR_STORAGE_ENCRYPTION_FORMAT_LUKS) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': only encryption format 'luks' can be created with qemu-img (the old qcow encryption is insecure and luks2 is not supported)"), name);
        return -1;
    }

    if (enc->engine == VIR_STORAGE_ENCRYPTION_ENGINE_LIBRBD) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': encryption engine 'librbd' cannot be used for a file volume: use engine 'qemu'"), name);
        return -1;
    }

    if (vol->type != VIR_STORAGE_VOL_BLOCK &&
        vol->target.format != VIR_STORAGE_FILE_RAW &&
        vol->target.format != VIR_STORAGE_FILE_QCOW2) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': luks encryption needs format raw or qcow2"),
                       name);
        return -1;
    }

    if (!secretPath) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s' is encrypted but no passphrase was given: add a <secret type='passphrase'/> to its <encryption>"), name);
        return -1;
    }

    return 0;
}


/*
 * Fill @target for writing @vol: the qemu-img driver and where the
 * encryption options go.
 */
static int
virStorageQemuImgTargetInit(virStorageVolDef *vol,
                            const char *secretPath,
                            virStorageQemuImgTarget *target)
{
    const char *driver;

    if (!(driver = virStorageQemuImgWritableFormat(vol)))
        return -1;

    target->driver = driver;
    target->encrypted = false;
    target->encPrefix = NULL;

    if (!vol->target.encryption)
        return 0;

    if (virStorageQemuImgCheckEncryption(vol, secretPath) < 0)
        return -1;

    target->encrypted = true;
    if (STREQ(driver, "qcow2")) {
        target->encPrefix = "encrypt.";
    } else {
        target->driver = "luks";
        target->encPrefix = "";
    }
    return 0;
}


/* --object secret,id=ALIAS,file=PATH */
static void
virStorageQemuImgAddSecretObject(virCommand *cmd,
                                 const char *alias,
                                 const char *secretPath)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;

    virBufferAsprintf(&buf, "secret,id=%s,file=", alias);
    virQEMUBuildBufferEscapeComma(&buf, secretPath);
    virCommandAddArg(cmd, "--object");
    virCommandAddArgBuffer(cmd, &buf);
}


/* Append "NAME=VALUE," with commas in VALUE doubled. */
static void
virStorageQemuImgAddOption(virBuffer *buf,
                           const char *prefix,
                           const char *name,
                           const char *value)
{
    virBufferAsprintf(buf, "%s%s=", prefix, name);
    virQEMUBuildBufferEscapeComma(buf, value);
    virBufferAddLit(buf, ",");
}


/* The LUKS options: format, secret, cipher and IV generator. */
static void
virStorageQemuImgAddEncryptionOptions(virBuffer *buf,
                                      virStorageEncryptionInfoDef *encinfo,
                                      const char *prefix)
{
    if (STREQ(prefix, "encrypt."))
        virBufferAddLit(buf, "encrypt.format=luks,");

    virStorageQemuImgAddOption(buf, prefix, "key-secret",
                               VIR_STORAGE_QEMUIMG_SECRET_ALIAS);

    if (encinfo->cipher_name) {
        g_autofree char *alg = NULL;

        if (encinfo->cipher_size > 0)
            alg = g_strdup_printf("%s-%u", encinfo->cipher_name,
                                  encinfo->cipher_size);
        else
            alg = g_strdup(encinfo->cipher_name);

        virStorageQemuImgAddOption(buf, prefix, "cipher-alg", alg);
        if (encinfo->cipher_mode)
            virStorageQemuImgAddOption(buf, prefix, "cipher-mode",
                                       encinfo->cipher_mode);
        if (encinfo->cipher_hash)
            virStorageQemuImgAddOption(buf, prefix, "hash-alg",
                                       encinfo->cipher_hash);
    }

    if (encinfo->ivgen_name) {
        virStorageQemuImgAddOption(buf, prefix, "ivgen-alg",
                                   encinfo->ivgen_name);
        if (encinfo->ivgen_hash)
            virStorageQemuImgAddOption(buf, prefix, "ivgen-hash-alg",
                                       encinfo->ivgen_hash);
    }
}


static bool
virStorageQemuImgHasFeature(virStorageVolDef *vol,
                            virStorageFileFeature feature)
{
    return vol->target.features &&
           virBitmapIsBitSet(vol->target.features, feature);
}


/*
 * compat, lazy_refcounts and extended_l2, which only qcow2 has.  As
 * libvirt 9.0's storage driver does, a qcow2 volume without <compat> is
 * made version 0.10 (readable by any qemu); <features> makes the parser
 * pick 1.1.
 */
static int
virStorageQemuImgAddQcow2Options(virBuffer *buf,
                                 virStorageVolDef *vol,
                                 bool isQcow2)
{
    const char *compat = vol->target.compat;
    const char *name = virStorageQemuImgVolName(vol);
    bool lazy = virStorageQemuImgHasFeature(vol, VIR_STORAGE_FILE_FEATURE_LAZY_REFCOUNTS);
    bool extl2 = virStorageQemuImgHasFeature(vol, VIR_STORAGE_FILE_FEATURE_EXTENDED_L2);

    if (!isQcow2) {
        if (compat || vol->target.features) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("volume '%s': <compat> and <features> are only available with format qcow2"), name);
            return -1;
        }
        return 0;
    }

    if (!compat)
        compat = "0.10";

    if ((lazy || extl2) && STRPREFIX(compat, "0.")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': feature '%s' needs qcow2 compat 1.1, not %s"), name,
                       lazy ? "lazy_refcounts" : "extended_l2", compat);
        return -1;
    }

    virStorageQemuImgAddOption(buf, "", "compat", compat);
    if (lazy)
        virBufferAddLit(buf, "lazy_refcounts=on,");
    if (extl2)
        virBufferAddLit(buf, "extended_l2=on,");
    return 0;
}


static int
virStorageQemuImgAddClusterSize(virBuffer *buf,
                                virStorageVolDef *vol,
                                const char *driver)
{
    if (vol->target.clusterSize == 0)
        return 0;

    if (STRNEQ(driver, "qcow2") && STRNEQ(driver, "qed")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': <clusterSize> is only available with formats qcow2 and qed"),
                       virStorageQemuImgVolName(vol));
        return -1;
    }

    virBufferAsprintf(buf, "cluster_size=%llu,", vol->target.clusterSize);
    return 0;
}


/*
 * VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA: a qcow2 image gets its
 * metadata allocated, or all its space when <allocation> reaches
 * <capacity>; a plain raw file gets its space allocated in that case
 * and has nothing to preallocate otherwise.
 */
static int
virStorageQemuImgAddPreallocation(virBuffer *buf,
                                  virStorageVolDef *vol,
                                  const virStorageQemuImgTarget *target,
                                  bool hasBacking)
{
    bool full = vol->target.allocation >= vol->target.capacity;

    if (STREQ(target->driver, "qcow2")) {
        if (hasBacking &&
            !virStorageQemuImgHasFeature(vol, VIR_STORAGE_FILE_FEATURE_EXTENDED_L2)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("volume '%s': preallocation of a qcow2 image with a backing store needs feature extended_l2"),
                           virStorageQemuImgVolName(vol));
            return -1;
        }
        virBufferAsprintf(buf, "preallocation=%s,",
                          full ? "falloc" : "metadata");
        return 0;
    }

    if (STREQ(target->driver, "raw")) {
        if (full)
            virBufferAddLit(buf, "preallocation=falloc,");
        return 0;
    }

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("volume '%s': preallocation is only available with formats qcow2 and raw, not %s"),
                   virStorageQemuImgVolName(vol), target->driver);
    return -1;
}


/*
 * The value of -o for writing @vol, or NULL in *@opts when there is
 * none.  Encryption options come first, then the format's own.
 */
static int
virStorageQemuImgBuildOptions(virStorageVolDef *vol,
                              const virStorageQemuImgTarget *target,
                              bool hasBacking,
                              bool preallocate,
                              char **opts)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;

    if (target->encrypted)
        virStorageQemuImgAddEncryptionOptions(&buf,
                                              &vol->target.encryption->encinfo,
                                              target->encPrefix);

    if (virStorageQemuImgAddQcow2Options(&buf, vol,
                                         STREQ(target->driver, "qcow2")) < 0)
        return -1;

    if (virStorageQemuImgAddClusterSize(&buf, vol, target->driver) < 0)
        return -1;

    if (preallocate &&
        virStorageQemuImgAddPreallocation(&buf, vol, target, hasBacking) < 0)
        return -1;

    if (vol->target.nocow)
        virBufferAddLit(&buf, "nocow=on,");

    virBufferTrim(&buf, ",");
    *opts = virBufferContentAndReset(&buf);
    return 0;
}


/* Secret object and -o options, shared by create and convert. */
static int
virStorageQemuImgAddOutputOptions(virCommand *cmd,
                                  virStorageVolDef *vol,
                                  const virStorageQemuImgTarget *target,
                                  const char *secretPath,
                                  bool hasBacking,
                                  bool preallocate)
{
    g_autofree char *opts = NULL;

    if (virStorageQemuImgBuildOptions(vol, target, hasBacking,
                                      preallocate, &opts) < 0)
        return -1;

    if (target->encrypted)
        virStorageQemuImgAddSecretObject(cmd, VIR_STORAGE_QEMUIMG_SECRET_ALIAS,
                                         secretPath);
    if (opts)
        virCommandAddArgList(cmd, "-o", opts, NULL);
    return 0;
}


static int
virStorageQemuImgCheckPath(virStorageVolDef *vol)
{
    if (!vol->target.path) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("volume '%s' has no target path"),
                       virStorageQemuImgVolName(vol));
        return -1;
    }
    return 0;
}


/*
 * -b and -F for the backing store of @vol.  qemu-img 7.2 insists on
 * knowing the backing format, so an unknown one is refused here rather
 * than probed.
 */
static int
virStorageQemuImgAddBacking(virCommand *cmd,
                            virStorageVolDef *vol,
                            const char *driver)
{
    virStorageSource *backing = vol->target.backingStore;
    const char *name = virStorageQemuImgVolName(vol);
    const char *backingFormat;

    if (STRNEQ(driver, "qcow2") && STRNEQ(driver, "qcow") &&
        STRNEQ(driver, "qed") && STRNEQ(driver, "vmdk")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': a %s image cannot have a backing store: use format qcow2"), name, driver);
        return -1;
    }

    if (backing->format <= VIR_STORAGE_FILE_NONE ||
        backing->format == VIR_STORAGE_FILE_DIR ||
        !(backingFormat = virStorageFileFormatTypeToString(backing->format))) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': give the format of backing store '%s'"),
                       name, backing->path);
        return -1;
    }

    virCommandAddArgList(cmd, "-b", backing->path, "-F", backingFormat, NULL);
    return 0;
}


/*
 * @capacity rounded up to a multiple of @unit, which qemu-img needs, in
 * *@rounded.  qemu-img (and a file's size) stop at 2^63 - 1: a capacity
 * beyond is refused here, rather than rounded past 2^64, where it used
 * to wrap to 0 (an empty image, or a resize that shrinks to nothing).
 */
static int
virStorageQemuImgRoundSize(virStorageVolDef *vol,
                           unsigned long long capacity,
                           unsigned long long unit,
                           unsigned long long *rounded)
{
    if (!virStorageSizeRoundUp(capacity, unit, rounded) ||
        *rounded > (unsigned long long) INT64_MAX) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("capacity %llu of volume '%s' is too large: qemu-img takes sizes below 8 EiB"),
                       capacity, virStorageQemuImgVolName(vol));
        return -1;
    }
    return 0;
}


virCommand *
virStorageQemuImgBuildCreate(const char *qemuimg,
                             virStorageVolDef *vol,
                             const char *secretPath,
                             unsigned int flags)
{
    g_autoptr(virCommand) cmd = NULL;
    virStorageQemuImgTarget target;
    bool hasBacking = virStorageSourceHasBacking(&vol->target);
    bool preallocate = !!(flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA);
    unsigned long long size;

    virCheckFlags(VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA, NULL);

    if (virStorageQemuImgCheckPath(vol) < 0 ||
        virStorageQemuImgRoundSize(vol, vol->target.capacity, 1024, &size) < 0 ||
        virStorageQemuImgTargetInit(vol, secretPath, &target) < 0)
        return NULL;

    cmd = virCommandNewArgList(qemuimg, "create", "-f", target.driver, NULL);

    if (hasBacking &&
        virStorageQemuImgAddBacking(cmd, vol, target.driver) < 0)
        return NULL;

    if (virStorageQemuImgAddOutputOptions(cmd, vol, &target, secretPath,
                                          hasBacking, preallocate) < 0)
        return NULL;

    virCommandAddArgList(cmd, "--", vol->target.path, NULL);

    /* Without a size, qemu-img takes the one of the backing image. */
    if (vol->target.capacity > 0 || !hasBacking)
        virCommandAddArgFormat(cmd, "%lluK", size / 1024);

    return g_steal_pointer(&cmd);
}


virCommand *
virStorageQemuImgBuildConvert(const char *qemuimg,
                              virStorageVolDef *vol,
                              virStorageVolDef *inputvol,
                              const char *secretPath,
                              unsigned int flags)
{
    g_autoptr(virCommand) cmd = NULL;
    virStorageQemuImgTarget target;
    const char *inputFormat;
    bool preallocate = !!(flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA);

    virCheckFlags(VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA, NULL);

    if (virStorageQemuImgCheckPath(vol) < 0 ||
        virStorageQemuImgCheckPath(inputvol) < 0)
        return NULL;

    if (inputvol->target.encryption) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("cannot copy encrypted volume '%s' into '%s': cloning an encrypted volume is not supported"),
                       virStorageQemuImgVolName(inputvol),
                       virStorageQemuImgVolName(vol));
        return NULL;
    }

    if (!(inputFormat = virStorageQemuImgReadableFormat(inputvol)) ||
        virStorageQemuImgTargetInit(vol, secretPath, &target) < 0)
        return NULL;

    /* The copy is a standalone image: any backing store of @vol is
     * ignored, the data of the input's chain is copied instead. */
    cmd = virCommandNewArgList(qemuimg, "convert",
                               "-f", inputFormat, "-O", target.driver, NULL);

    if (virStorageQemuImgAddOutputOptions(cmd, vol, &target, secretPath,
                                          false, preallocate) < 0)
        return NULL;

    virCommandAddArgList(cmd, "--", inputvol->target.path, vol->target.path,
                         NULL);
    return g_steal_pointer(&cmd);
}


/*
 * -f FMT -- json:{"driver": FMT, "file": {"filename": PATH},
 *                 [encrypt.]key-secret: ALIAS[, "backing": null]}
 *
 * The image is named in JSON rather than with --image-opts: its keyval
 * syntax has no way to say "no backing file" ("backing=null" names a
 * node called null), and without it qemu-img opens the backing file the
 * image header names, which a guest wrote.  The file's protocol is left
 * to qemu-img, as file.filename alone did.
 */
static int
virStorageQemuImgAddEncryptedImage(virCommand *cmd,
                                   virStorageVolDef *vol,
                                   const virStorageQemuImgTarget *target)
{
    g_autoptr(virJSONValue) node = virJSONValueNewObject();
    g_autoptr(virJSONValue) file = virJSONValueNewObject();
    g_autoptr(virJSONValue) encrypt = NULL;
    g_autofree char *json = NULL;
    bool qcow2 = STREQ(target->driver, "qcow2");

    if (virJSONValueObjectAppendString(file, "filename", vol->target.path) < 0 ||
        virJSONValueObjectAppendString(node, "driver", target->driver) < 0 ||
        virJSONValueObjectAppend(node, "file", &file) < 0)
        return -1;

    if (qcow2) {
        encrypt = virJSONValueNewObject();
        if (virJSONValueObjectAppendString(encrypt, "key-secret",
                                           VIR_STORAGE_QEMUIMG_SECRET_ALIAS) < 0 ||
            virJSONValueObjectAppend(node, "encrypt", &encrypt) < 0 ||
            virJSONValueObjectAppendNull(node, "backing") < 0)
            return -1;
    } else if (virJSONValueObjectAppendString(node, "key-secret",
                                              VIR_STORAGE_QEMUIMG_SECRET_ALIAS) < 0) {
        return -1;
    }

    if (!(json = virJSONValueToString(node, false)))
        return -1;

    virCommandAddArgList(cmd, "-f", target->driver, "--", NULL);
    virCommandAddArgFormat(cmd, "json:%s", json);
    return 0;
}


virCommand *
virStorageQemuImgBuildResize(const char *qemuimg,
                             virStorageVolDef *vol,
                             unsigned long long capacity,
                             bool shrink,
                             bool preallocate,
                             const char *secretPath)
{
    g_autoptr(virCommand) cmd = NULL;
    virStorageQemuImgTarget target;
    unsigned long long size;

    /* qemu-img refuses sizes that are not a multiple of 512 bytes. */
    if (virStorageQemuImgCheckPath(vol) < 0 ||
        virStorageQemuImgRoundSize(vol, capacity, 512, &size) < 0 ||
        virStorageQemuImgTargetInit(vol, secretPath, &target) < 0)
        return NULL;

    if (shrink && preallocate) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': cannot preallocate while shrinking"),
                       virStorageQemuImgVolName(vol));
        return NULL;
    }

    if (preallocate && STRNEQ(target.driver, "qcow2") &&
        STRNEQ(target.driver, "raw")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("volume '%s': qemu-img can only preallocate qcow2 and raw images, not %s"),
                       virStorageQemuImgVolName(vol), target.driver);
        return NULL;
    }

    cmd = virCommandNewArgList(qemuimg, "resize", NULL);
    if (shrink)
        virCommandAddArg(cmd, "--shrink");
    if (preallocate)
        virCommandAddArg(cmd, "--preallocation=falloc");

    if (target.encrypted) {
        virStorageQemuImgAddSecretObject(cmd, VIR_STORAGE_QEMUIMG_SECRET_ALIAS,
                                         secretPath);
        if (virStorageQemuImgAddEncryptedImage(cmd, vol, &target) < 0)
            return NULL;
    } else {
        virCommandAddArgList(cmd, "-f", target.driver, "--", vol->target.path,
                             NULL);
    }

    virCommandAddArgFormat(cmd, "%llu", size);
    return g_steal_pointer(&cmd);
}


virCommand *
virStorageQemuImgBuildConvertToDevice(const char *qemuimg,
                                      const char *srcpath,
                                      const char *srcformat,
                                      const char *dstpath)
{
    /* "--": see the top of this file */
    return virCommandNewArgList(qemuimg, "convert", "-n",
                                "-f", srcformat, "-O", "raw",
                                "--", srcpath, dstpath, NULL);
}


char *
virStorageQemuImgFind(void)
{
    char *path = virFindFileInPath("qemu-img");

    if (!path)
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("qemu-img not found: install qemu-utils"));
    return path;
}
