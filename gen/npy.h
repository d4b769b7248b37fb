/*
 * npy.h - reader for NumPy .npy files (format versions 1.0, 2.0, 3.0).
 *
 * Format: numpy/lib/format.py (NEP 1): magic "\x93NUMPY", major, minor,
 * little-endian header length (2 bytes for 1.0, 4 for 2.0/3.0), then a
 * Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)}
 * and the raw C-order data. Supported dtypes: int8 ('|i1', '<i1'), int32
 * ('<i4'), float32 ('<f4'), float64 ('<f8'). Fortran order is refused.
 */
#ifndef RF_NPY_H
#define RF_NPY_H

#include <stddef.h>

#define NPY_MAX_DIMS 8

enum npy_dtype { NPY_I8, NPY_I32, NPY_F32, NPY_F64 };

typedef struct npy_array {
    enum npy_dtype dtype;
    int ndim;
    long shape[NPY_MAX_DIMS];
    size_t count;     /* product of shape */
    void *data;       /* count elements, host order */
} npy_array;

/* Loads `path`. Returns 0, or -1 with a one-line reason in err (no file
 * name in it). Every length is checked against the file size. */
int npy_load(const char *path, npy_array *a, char *err, size_t errlen);
void npy_free(npy_array *a);
/* Element i as double, whatever the dtype. */
double npy_get(const npy_array *a, size_t i);
/* "(8, 3, 3, 3)" */
void npy_shape_str(const npy_array *a, char *buf, size_t len);

#endif
