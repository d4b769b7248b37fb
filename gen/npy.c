/*
 * npy.c - NumPy .npy reader (see npy.h for the format and its source).
 */
#include "npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t len, const char *msg)
{
    snprintf(err, len, "%s", msg);
    return -1;
}

/* Finds the value after 'key': in the header dict; returns pointer or NULL. */
static const char *dict_value(const char *h, const char *key)
{
    char pat[32];
    const char *p;
    snprintf(pat, sizeof pat, "'%s'", key);
    p = strstr(h, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    if (*p != ':')
        return NULL;
    p++;
    while (*p == ' ')
        p++;
    return p;
}

int npy_load(const char *path, npy_array *a, char *err, size_t errlen)
{
    FILE *f;
    unsigned char pre[12];
    size_t hlen, hoff, esize, i;
    long fsize;
    char *h = NULL;
    const char *d, *fo, *sh;
    memset(a, 0, sizeof *a);

    f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) || (fsize = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        return fail(err, errlen, "cannot determine the file size");
    }
    if (fsize < 10 || fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6)) {
        fclose(f);
        snprintf(err, errlen, "not a .npy file (bad magic)");
        return -1;
    }
    if (pre[6] == 1) {
        hlen = (size_t)pre[8] | ((size_t)pre[9] << 8);
        hoff = 10;
    } else if (pre[6] == 2 || pre[6] == 3) {
        if (fsize < 12 || fread(pre + 10, 1, 2, f) != 2) {
            fclose(f);
            return fail(err, errlen, "truncated .npy header");
        }
        hlen = (size_t)pre[8] | ((size_t)pre[9] << 8) | ((size_t)pre[10] << 16) | ((size_t)pre[11] << 24);
        hoff = 12;
    } else {
        fclose(f);
        snprintf(err, errlen, "unsupported .npy version %d", pre[6]);
        return -1;
    }
    if (hlen > 65536 || hoff + hlen > (size_t)fsize) {
        fclose(f);
        snprintf(err, errlen, "truncated .npy header");
        return -1;
    }
    h = malloc(hlen + 1);
    if (!h || fread(h, 1, hlen, f) != hlen) {
        free(h);
        fclose(f);
        snprintf(err, errlen, "cannot read the .npy header");
        return -1;
    }
    h[hlen] = '\0';

    d = dict_value(h, "descr");
    fo = dict_value(h, "fortran_order");
    sh = dict_value(h, "shape");
    if (!d || !fo || !sh) {
        snprintf(err, errlen, "malformed .npy header");
        goto bad;
    }
    if (!strncmp(d, "'|i1'", 5) || !strncmp(d, "'<i1'", 5) || !strncmp(d, "'i1'", 4)) {
        a->dtype = NPY_I8;
        esize = 1;
    } else if (!strncmp(d, "'<i4'", 5)) {
        a->dtype = NPY_I32;
        esize = 4;
    } else if (!strncmp(d, "'<f4'", 5)) {
        a->dtype = NPY_F32;
        esize = 4;
    } else if (!strncmp(d, "'<f8'", 5)) {
        a->dtype = NPY_F64;
        esize = 8;
    } else {
        snprintf(err, errlen, "unsupported dtype %.8s (int8, <i4, <f4, <f8 are read)", d);
        goto bad;
    }
    if (strncmp(fo, "False", 5)) {
        snprintf(err, errlen, "Fortran-order arrays are not supported");
        goto bad;
    }
    if (*sh != '(') {
        snprintf(err, errlen, "malformed shape in .npy header");
        goto bad;
    }
    sh++;
    a->count = 1;
    for (;;) {
        char *end;
        long v;
        while (*sh == ' ' || *sh == ',')
            sh++;
        if (*sh == ')')
            break;
        errno = 0;
        v = strtol(sh, &end, 10);
        if (end == sh || errno || v < 0 || a->ndim >= NPY_MAX_DIMS) {
            snprintf(err, errlen, "malformed shape in .npy header");
            goto bad;
        }
        a->shape[a->ndim++] = v;
        if (v && a->count > ((size_t)1 << 40) / (size_t)v) {
            snprintf(err, errlen, "array too large");
            goto bad;
        }
        a->count *= (size_t)v;
        sh = end;
    }
    if (hoff + hlen + a->count * esize != (size_t)fsize) {
        snprintf(err, errlen, "data size does not match the header (file truncated or padded)");
        goto bad;
    }
    a->data = malloc(a->count * esize + 1);
    if (!a->data || fread(a->data, esize, a->count, f) != a->count) {
        snprintf(err, errlen, "cannot read the data");
        goto bad;
    }
    /* little-endian file data to host order */
    if (esize > 1) {
        unsigned char *b = a->data;
        for (i = 0; i < a->count; i++) {
            unsigned char *e = b + i * esize;
            if (esize == 4) {
                uint32_t v = (uint32_t)e[0] | ((uint32_t)e[1] << 8) | ((uint32_t)e[2] << 16) | ((uint32_t)e[3] << 24);
                memcpy(e, &v, 4);
            } else {
                uint64_t v = 0;
                int k;
                for (k = 7; k >= 0; k--)
                    v = (v << 8) | e[k];
                memcpy(e, &v, 8);
            }
        }
    }
    free(h);
    fclose(f);
    return 0;
bad:
    free(h);
    free(a->data);
    a->data = NULL;
    fclose(f);
    return -1;
}

void npy_free(npy_array *a)
{
    free(a->data);
    a->data = NULL;
}

double npy_get(const npy_array *a, size_t i)
{
    switch (a->dtype) {
    case NPY_I8:
        return ((const int8_t *)a->data)[i];
    case NPY_I32:
        return ((const int32_t *)a->data)[i];
    case NPY_F32:
        return ((const float *)a->data)[i];
    case NPY_F64:
        return ((const double *)a->data)[i];
    }
    return 0;
}

void npy_shape_str(const npy_array *a, char *buf, size_t len)
{
    size_t o = 0;
    int i;
    o += (size_t)snprintf(buf + o, len - o, "(");
    for (i = 0; i < a->ndim && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%ld", i ? ", " : "", a->shape[i]);
    if (o < len)
        snprintf(buf + o, len - o, "%s)", a->ndim == 1 ? "," : "");
}
