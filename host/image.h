/*
 * image.h - photographs in, feature maps out, for the host (stream.c).
 */
#ifndef RF_IMAGE_H
#define RF_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Loads a PNG, JPEG, PPM/PGM (anything stb_image reads) and turns it into one
 * network input frame:
 *   1. decode with c channels forced (c must be 1: grey, or 3: RGB);
 *   2. center-crop to the aspect ratio w : h (the larger side is cut evenly
 *      on both ends, rounding the kept size to the nearest pixel);
 *   3. resize the crop to w x h with stbir_resize_uint8 (stb's default
 *      filters);
 *   4. quantize each pixel value p (0..255, taken as the real value) with the
 *      input layer's parameters, as TFLite's Quantize does:
 *        q = clamp(round(p / scale) + zero_point, -128, 127)
 *      round() is half away from zero. For scale 1, zero_point -128 this is
 *      q = p - 128.
 * A path ending in ".bin" is a raw frame instead: exactly h*w*c uint8
 * values in rows of interleaved channels (HWC), as the MLPerf Tiny CIFAR-10
 * test files; it is quantized as in step 4, without cropping or resizing.
 * out: h x w x c int8, NHWC. Returns 0, or -1 with a message (no trailing
 * newline) in err[errsz].
 */
int image_load_frame(const char *path, int h, int w, int c, double scale, int zero_point,
                     int8_t *out, char *err, size_t errsz);

/*
 * Writes an h x w x c int8 feature map (NHWC) as a greyscale PNG mosaic for
 * people to look at: channel k is the tile in row k / cols, column k % cols,
 * cols = ceil(sqrt(c)); tiles are separated by 2-pixel white (255) lines, and
 * unused tiles are white. Each tile is contrast-stretched on its own: the
 * channel's minimum is black and its maximum white (a constant channel is
 * mid-grey), so channels with a narrow range stay visible. Returns 0, or -1
 * with a message in err[errsz].
 */
int image_write_mosaic(const char *path, const int8_t *fm, int h, int w, int c,
                       char *err, size_t errsz);

#endif
