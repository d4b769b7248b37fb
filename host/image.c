/*
 * image.c - image input (decode, center-crop, resize, quantize) and the
 * feature-map mosaic output, over stb_image, stb_image_resize and
 * stb_image_write (Debian's libstb: headers from `pkg-config --cflags stb`,
 * implementations in -lstb).
 *
 * Input quantization: a pixel value p in 0..255 is taken as the real value
 * and quantized with the network input layer's scale and zero point the way
 * TensorFlow Lite's Quantize op does (tensorflow/lite/kernels/internal/
 * reference/quantize.h: round(x / scale) + zero_point, clamped to int8):
 *     q = clamp(round(p / scale) + zero_point, -128, 127)
 * So scale 1.0, zero_point -128 maps 0..255 onto -128..127 (q = p - 128).
 */
#include "image.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

/* TFLite Quantize of a pixel value taken as the real value:
 * q = clamp(round(p / scale) + zero_point, -128, 127); the reference
 * Quantize divides in float: round((float)p / scale). */
static int8_t quantize_pixel(unsigned p, double scale, int zero_point)
{
    double q = round((double)((float)p / (float)scale)) + zero_point;
    return (int8_t)(q < -128 ? -128 : q > 127 ? 127 : q);
}

static int load_raw(const char *path, int h, int w, int c, double scale, int zero_point, int8_t *out,
                    char *err, size_t errsz)
{
    size_t total = (size_t)h * w * c, i;
    unsigned char *buf = malloc(total + 1);
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!buf || !f) {
        snprintf(err, errsz, "%s: %s", path, !buf ? "out of memory" : strerror(errno));
        free(buf);
        if (f)
            fclose(f);
        return -1;
    }
    n = fread(buf, 1, total + 1, f);
    fclose(f);
    if (n != total) {
        snprintf(err, errsz, "%s: a raw frame must be %dx%dx%d = %zu bytes (uint8, HWC); the file has %s%zu",
                 path, h, w, c, total, n > total ? "more than " : "", n > total ? total : n);
        free(buf);
        return -1;
    }
    for (i = 0; i < total; i++)
        out[i] = quantize_pixel(buf[i], scale, zero_point);
    free(buf);
    return 0;
}

int image_load_frame(const char *path, int h, int w, int c, double scale, int zero_point,
                     int8_t *out, char *err, size_t errsz)
{
    unsigned char *img, *rs;
    int iw, ih, n, cw, ch, x0 = 0, y0 = 0;
    size_t i, total;

    if (c != 1 && c != 3) {
        snprintf(err, errsz, "the network input has %d channels; images need 1 or 3", c);
        return -1;
    }
    if (!(scale > 0.0) || !isfinite(scale)) {
        snprintf(err, errsz, "the network input scale %g is not positive", scale);
        return -1;
    }
    /* raw frames: exactly h*w*c uint8 values, rows of interleaved channels
     * (HWC), as the MLPerf Tiny / EEMBC CIFAR-10 .bin files */
    {
        size_t len = strlen(path);
        if (len > 4 && strcmp(path + len - 4, ".bin") == 0)
            return load_raw(path, h, w, c, scale, zero_point, out, err, errsz);
    }
    /* refuse huge images before decoding them (16384 x 16384 at most) */
    if (stbi_info(path, &iw, &ih, &n) && ((long long)iw > 16384 || (long long)ih > 16384)) {
        snprintf(err, errsz, "%s: %dx%d is larger than 16384x16384", path, iw, ih);
        return -1;
    }
    img = stbi_load(path, &iw, &ih, &n, c);
    if (!img) {
        snprintf(err, errsz, "%s: cannot load image: %s", path, stbi_failure_reason());
        return -1;
    }
    /* center crop to w:h, comparing iw/ih with w/h in integers */
    if ((long long)iw * h > (long long)ih * w) {
        ch = ih;
        cw = (int)(((long long)ih * w + h / 2) / h);
        if (cw < 1)
            cw = 1;
        x0 = (iw - cw) / 2;
    } else {
        cw = iw;
        ch = (int)(((long long)iw * h + w / 2) / w);
        if (ch < 1)
            ch = 1;
        y0 = (ih - ch) / 2;
    }
    total = (size_t)h * w * c;
    rs = malloc(total);
    if (!rs) {
        stbi_image_free(img);
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    if (!stbir_resize_uint8(img + ((size_t)y0 * iw + x0) * c, cw, ch, iw * c,
                            rs, w, h, 0, c)) {
        stbi_image_free(img);
        free(rs);
        snprintf(err, errsz, "%s: resizing %dx%d to %dx%d failed", path, cw, ch, w, h);
        return -1;
    }
    for (i = 0; i < total; i++)
        out[i] = quantize_pixel(rs[i], scale, zero_point);
    stbi_image_free(img);
    free(rs);
    return 0;
}

int image_write_mosaic(const char *path, const int8_t *fm, int h, int w, int c,
                       char *err, size_t errsz)
{
    const int sep = 2;
    unsigned char *pix;
    int cols = 1, rows, iw, ih, k, y, x, ok;

    if (h < 1 || w < 1 || c < 1) {
        snprintf(err, errsz, "%s: empty feature map", path);
        return -1;
    }
    while (cols * cols < c)
        cols++;
    rows = (c + cols - 1) / cols;
    iw = cols * w + (cols - 1) * sep;
    ih = rows * h + (rows - 1) * sep;
    pix = malloc((size_t)iw * ih);
    if (!pix) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    for (k = 0; k < iw * ih; k++)
        pix[k] = 255;
    for (k = 0; k < c; k++) {
        int ty = (k / cols) * (h + sep), tx = (k % cols) * (w + sep);

        int lo = 127, hi = -128;
        /* each tile stretched from its channel's min..max to 0..255, so
         * channels with a narrow range are still visible; a constant
         * channel is drawn mid-grey */
        for (y = 0; y < h * w; y++) {
            int v = fm[(size_t)y * c + k];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        for (y = 0; y < h; y++)
            for (x = 0; x < w; x++) {
                int v = fm[((size_t)y * w + x) * c + k];
                pix[(size_t)(ty + y) * iw + tx + x] =
                    (unsigned char)(hi > lo ? (v - lo) * 255 / (hi - lo) : 128);
            }
    }
    ok = stbi_write_png(path, iw, ih, 1, pix, iw);
    free(pix);
    if (!ok) {
        snprintf(err, errsz, "%s: cannot write PNG", path);
        return -1;
    }
    return 0;
}
