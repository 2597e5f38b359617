/*
 * parthelper_json_fuzzer.c: the strings the partition helper writes
 * into its JSON (src/storage/parthelper/parthelper_json.c)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The helper reads no JSON: it writes the device path, the label and
 * the file system names libparted found into the JSON the module reads.
 * Any valid UTF-8 string it is given must come back unchanged through
 * the module's JSON parser; any other must not crash either.
 */

#include <config.h>

#include "fuzz.h"
#include "parthelper_json.h"
#include "virjson.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data,
                       size_t size)
{
    g_autofree char *text = fuzzString(data, size);
    g_autoptr(GString) out = g_string_new("{\"fs\": ");
    g_autoptr(virJSONValue) json = NULL;
    const char *back;

    phJsonAppendString(out, text);
    g_string_append_c(out, '}');

    json = virJSONValueFromString(out->str);
    if (!g_utf8_validate(text, -1, NULL))
        return 0;

    fuzzAssert(json != NULL);
    fuzzAssert((back = virJSONValueObjectGetString(json, "fs")) != NULL);
    fuzzAssert(STREQ(back, text));
    return 0;
}
