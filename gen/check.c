/*
 * check.c - name resolution, topological sort, shapes, weights, quantization.
 */
#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "npy.h"
#include "parse.h"
#include "stage.h"

/* Per-layer multiplier limit: beyond it Verilator and Yosys run out of
 * memory on the fully parallel MAC array; fold the layer instead. */
#define CHECK_MAX_MULTIPLIERS 4096

uint64_t ir_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int resolve(ir_net *net)
{
    int i, j, k, rc = 0;
    for (i = 1; i < net->n_layers; i++) {
        ir_layer *L = &net->layers[i];
        for (j = 1; j < i; j++)
            if (!strcmp(net->layers[j].name, L->name)) {
                diag_node(fy_node_mapping_lookup_by_string(L->node, "name", (size_t)-1),
                          "duplicate layer name '%s'", L->name);
                rc = -1;
            }
        if (!strcmp(L->name, "input")) {
            diag_node(fy_node_mapping_lookup_by_string(L->node, "name", (size_t)-1),
                      "'input' is reserved for the network input");
            rc = -1;
        }
        for (k = 0; k < L->n_inputs; k++) {
            int p = ir_find(net, L->in_names[k]);
            if (p < 0) {
                diag_node(L->in_nodes[k], "unknown input '%s'", L->in_names[k]);
                rc = -1;
            } else if (p == i) {
                diag_node(L->in_nodes[k], "layer '%s' takes its own output as input", L->name);
                rc = -1;
            }
            L->in[k] = p;
        }
    }
    if (net->output_node) {
        const char *s = fy_node_get_scalar0(net->output_node);
        net->output = s ? ir_find(net, s) : -1;
        if (net->output < 0) {
            diag_node(net->output_node, "unknown output layer '%s'", s ? s : "");
            rc = -1;
        } else if (net->output == 0) {
            diag_node(net->output_node, "the output must be a layer, not the network input");
            rc = -1;
        }
    }
    return rc;
}

/* Reports one cycle among the layers not placed by the topological sort.
 * Every such layer is on a cycle or downstream of one, so walking backwards
 * through inputs that are not placed must revisit a layer; the walk from that
 * layer's first visit is the cycle. */
static void report_cycle(const ir_net *net, const int *done)
{
    int n = net->n_layers, i, j, k;
    for (i = 0; i < n; i++)
        if (!done[i]) {
            int *walk = malloc((size_t)(n + 1) * sizeof *walk), len = 0, cur = i, first = -1;
            char path[512] = "";
            size_t o = 0;
            if (!walk) {
                diag_plain("out of memory");
                return;
            }
            while (first < 0 && len <= n) {
                for (j = 0; j < len; j++)
                    if (walk[j] == cur)
                        first = j;
                if (first >= 0)
                    break;
                walk[len++] = cur;
                for (k = 0; k < net->layers[cur].n_inputs; k++)
                    if (!done[net->layers[cur].in[k]]) {
                        cur = net->layers[cur].in[k];
                        break;
                    }
            }
            /* walk[first..len-1] runs against the data flow (walk[j+1] feeds
             * walk[j], and walk[len-1] is fed by walk[first]): print it forwards */
            o += (size_t)snprintf(path + o, sizeof path - o, "%s", net->layers[walk[first]].name);
            for (j = len - 1; j >= first && o < sizeof path; j--)
                o += (size_t)snprintf(path + o, sizeof path - o, " -> %s", net->layers[walk[j]].name);
            diag_node(net->layers[walk[first]].node, "cycle in the layer graph: %s", path);
            free(walk);
            return;
        }
}

/* Kahn's algorithm, picking the lowest file index among ready layers. */
static int toposort(ir_net *net)
{
    int n = net->n_layers, i, k, placed = 0;
    int *indeg = calloc((size_t)n, sizeof *indeg), *order = malloc((size_t)n * sizeof *order);
    int *newidx = malloc((size_t)n * sizeof *newidx), *done = calloc((size_t)n, sizeof *done);
    ir_layer *sorted = calloc((size_t)n, sizeof *sorted);
    int rc = -1;
    if (!indeg || !order || !newidx || !done || !sorted) {
        diag_plain("out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        indeg[i] = net->layers[i].n_inputs;
    while (placed < n) {
        int pick = -1;
        for (i = 0; i < n; i++)
            if (!done[i] && indeg[i] == 0) {
                pick = i;
                break;
            }
        if (pick < 0)
            break;
        done[pick] = 1;
        order[placed++] = pick;
        for (i = 0; i < n; i++)
            for (k = 0; k < net->layers[i].n_inputs; k++)
                if (!done[i] && net->layers[i].in[k] == pick)
                    indeg[i]--;
    }
    if (placed < n) {
        report_cycle(net, done);
        goto out;
    }
    for (i = 0; i < n; i++) {
        newidx[order[i]] = i;
        sorted[i] = net->layers[order[i]];
    }
    for (i = 0; i < n; i++)
        for (k = 0; k < sorted[i].n_inputs; k++)
            sorted[i].in[k] = newidx[sorted[i].in[k]];
    net->output = newidx[net->output];
    free(net->layers);
    net->layers = sorted;
    sorted = NULL;
    rc = 0;
out:
    free(indeg);
    free(order);
    free(newidx);
    free(done);
    free(sorted);
    return rc;
}

static void path_join(const ir_net *net, const char *file, char *out, size_t len)
{
    if (file[0] == '/')
        snprintf(out, len, "%s", file);
    else
        snprintf(out, len, "%s/%s", net->dir, file);
}

/* Loads an .npy into `a`, reporting at `node` on failure. */
static int load_npy(const ir_net *net, struct fy_node *node, const char *file, npy_array *a)
{
    char path[1100], err[600];
    path_join(net, file, path, sizeof path);
    if (npy_load(path, a, err, sizeof err)) {
        diag_node(node, "'%s': %s", file, err);
        return -1;
    }
    return 0;
}

static int shape_is(const npy_array *a, int nd, const long *want)
{
    int i;
    if (a->ndim != nd)
        return 0;
    for (i = 0; i < nd; i++)
        if (a->shape[i] != want[i])
            return 0;
    return 1;
}

/* Weights, bias, scales and the TFLite multipliers of a conv2d, depthwise
 * or dense layer. Weights are stored [c][depth] with depth = ir_mac_depth
 * (conv [c][kh][kw][ci], depthwise [c][kh][kw], dense [c][ci]). */
static int conv_weights(ir_net *net, ir_layer *L, const ir_layer *in)
{
    int C = L->c, K = L->kernel, Ci = L->in_c, oc, depth = ir_mac_depth(L);
    size_t n = (size_t)C * depth, i;
    int rc = 0, per_tensor_fc;
    L->weights = malloc(n);
    L->bias = calloc((size_t)C, sizeof *L->bias);
    L->wscale = malloc((size_t)C * sizeof *L->wscale);
    L->mult = malloc((size_t)C * sizeof *L->mult);
    L->shift = malloc((size_t)C * sizeof *L->shift);
    if (!L->weights || !L->bias || !L->wscale || !L->mult || !L->shift) {
        diag_plain("out of memory");
        return -1;
    }
    if (L->w_src == IR_SRC_FILE) {
        npy_array a;
        long want4[4] = {C, K, K, Ci}, want3[3] = {K, K, C}, want2[2] = {C, Ci};
        int ok;
        if (load_npy(net, L->w_node, L->w_file, &a))
            return -1;
        ok = L->op == IR_CONV2D ? shape_is(&a, 4, want4) : L->op == IR_DEPTHWISE ? shape_is(&a, 3, want3)
                                                                                  : shape_is(&a, 2, want2);
        if (a.dtype != NPY_I8 || !ok) {
            char got[128], exp[128];
            npy_shape_str(&a, got, sizeof got);
            if (L->op == IR_CONV2D)
                snprintf(exp, sizeof exp, "(%d, %d, %d, %d) [out_ch][kh][kw][in_ch]", C, K, K, Ci);
            else if (L->op == IR_DEPTHWISE)
                snprintf(exp, sizeof exp, "(%d, %d, %d) [kh][kw][ch]", K, K, C);
            else
                snprintf(exp, sizeof exp, "(%d, %d) [units][in_ch]", C, Ci);
            diag_node(L->w_node, "'%s' must be int8 with shape %s; got %s %s", L->w_file, exp,
                      a.dtype == NPY_I8 ? "int8" : "non-int8", got);
            npy_free(&a);
            return -1;
        }
        if (L->op == IR_DEPTHWISE) {
            /* (K, K, C) -> [c][kh][kw] */
            const int8_t *src = a.data;
            for (oc = 0; oc < C; oc++)
                for (i = 0; i < (size_t)K * K; i++)
                    L->weights[(size_t)oc * K * K + i] = src[i * (size_t)C + (size_t)oc];
        } else {
            memcpy(L->weights, a.data, n);
        }
        npy_free(&a);
    } else {
        /* uniform in -127..127 (symmetric int8, TFLite never uses -128 for weights) */
        uint64_t s = L->w_seed;
        for (i = 0; i < n; i++)
            L->weights[i] = (int8_t)((int)(ir_splitmix64(&s) % 255u) - 127);
    }
    if (L->b_src == IR_SRC_FILE) {
        npy_array a;
        long want[1] = {C};
        if (load_npy(net, L->b_node, L->b_file, &a))
            return -1;
        if (a.dtype != NPY_I32 || !shape_is(&a, 1, want)) {
            char got[128];
            npy_shape_str(&a, got, sizeof got);
            diag_node(L->b_node, "'%s' must be int32 with shape (%d,); got %s %s", L->b_file, C,
                      a.dtype == NPY_I32 ? "int32" : "non-int32", got);
            npy_free(&a);
            return -1;
        }
        memcpy(L->bias, a.data, (size_t)C * sizeof(int32_t));
        npy_free(&a);
    } else if (L->b_src == IR_SRC_INIT) {
        uint64_t s = L->b_seed;
        for (oc = 0; oc < C; oc++)
            L->bias[oc] = (int32_t)(ir_splitmix64(&s) % 1025u) - 512;
    }
    /* weight scales */
    if (L->n_scales == -1) {
        npy_array a;
        long want[1] = {C};
        if (load_npy(net, L->s_node, L->s_file, &a))
            return -1;
        if ((a.dtype != NPY_F32 && a.dtype != NPY_F64) || !shape_is(&a, 1, want)) {
            char got[128];
            npy_shape_str(&a, got, sizeof got);
            diag_node(L->s_node, "'%s' must be float32 or float64 with shape (%d,); got %s", L->s_file, C, got);
            npy_free(&a);
            return -1;
        }
        /* float64 files too are read as the float32 a TFLite file would hold */
        for (oc = 0; oc < C; oc++) {
            L->wscale[oc] = q_scale_f32(npy_get(&a, (size_t)oc));
            if (L->wscale[oc] == 0) {
                diag_node(L->s_node, "'%s': scale %d is not a positive and finite float32", L->s_file, oc);
                rc = -1;
                break;
            }
        }
        npy_free(&a);
        if (rc)
            return rc;
    } else if (L->n_scales > 1) {
        if (L->n_scales != C) {
            diag_node(L->s_node, "'scales' has %d entries; layer '%s' has %d output channels", L->n_scales, L->name, C);
            return -1;
        }
        for (oc = 0; oc < C; oc++)
            L->wscale[oc] = L->scales_inline[oc];
    } else {
        /* default for init weights: keeps the output's spread about a quarter of
         * the int8 range for inputs spread over the whole range (docs/yaml.md);
         * one scale for the layer, a float32 like every other scale */
        double s = L->n_scales == 1 ? L->scales_inline[0]
                                    : q_scale_f32(0.5 * L->scale / (in->scale * 127.0 * sqrt((double)depth)));
        if (s == 0) {
            diag_node(L->node, "layer '%s': the default weight scale is below float32's range; give 'scales'", L->name);
            return -1;
        }
        for (oc = 0; oc < C; oc++)
            L->wscale[oc] = s;
    }
    /* TFLite conv, depthwise and per-channel dense: effective scale =
     * input_scale * filter_scale[c] / output_scale in double
     * (kernels/kernel_util.cc PopulateConvolutionQuantizationParams). A dense
     * with one weight scale (per-tensor: one inline scale, the init default,
     * or one unit) is TFLite's per-tensor FULLY_CONNECTED, whose product of
     * the two scales is a float32 (GetQuantizedConvolutionMultipler). */
    per_tensor_fc = L->op == IR_DENSE && (L->n_scales == 0 || L->n_scales == 1 || C == 1);
    for (oc = 0; oc < C; oc++) {
        int sh;
        double real = per_tensor_fc ? q_fc_per_tensor_real(in->scale, L->wscale[oc], L->scale)
                                    : in->scale * L->wscale[oc] / L->scale;
        if (q_quantize_multiplier(real, &L->mult[oc], &sh)) {
            diag_node(L->node, "layer '%s': channel %d has an invalid effective scale %g", L->name, oc, real);
            return -1;
        }
        if (sh > 31 || sh < -31) {
            diag_node(L->node, "layer '%s': channel %d effective scale %g is out of range", L->name, oc, real);
            return -1;
        }
        L->shift[oc] = sh;
    }
    return 0;
}

/* Folding to a target (in the spirit of FINN's SetFolding): of all PE/SIMD
 * pairs (PE divides C_out, SIMD divides K*K*C_in; values set in the YAML are
 * kept) whose cycles per frame fit the target, the one with the fewest
 * multipliers PE*SIMD; ties go to the slower (closer to the target), then
 * to the smaller PE. The cycles are what the hardware costs
 * (stage_frame_cycles): H*W outputs at II = (K*K*C_in/SIMD) *
 * (C_out/PE), plus one cycle per output with registered ready or a folded
 * window (rf_window_fold), and never fewer than the input pixels or the
 * window's reader steps. If none fits, the fastest, with the fewest
 * multipliers among those (budget() then reports the target as out of
 * reach, unless the target is the driver's tightened one). */
static void fold_to_target(const ir_net *net, ir_layer *L, long target)
{
    int kkc = ir_mac_depth(L), simd, pe, best_pe = 0, best_simd = 0, fast_pe = 0, fast_simd = 0;
    long best_mult = -1, best_cyc = -1, fast_cyc = -1, fast_mult = -1;
    int fixed_pe = L->pe, fixed_simd = L->simd;
    for (pe = 1; pe <= L->c; pe++) {
        if (L->c % pe || (fixed_pe && pe != fixed_pe))
            continue;
        for (simd = 1; simd <= kkc; simd++) {
            long cyc, mult;
            if (kkc % simd || (fixed_simd && simd != fixed_simd))
                continue;
            L->pe = pe;
            L->simd = simd;
            cyc = stage_frame_cycles(net, L);
            mult = (long)pe * simd;
            if (fast_cyc < 0 || cyc < fast_cyc || (cyc == fast_cyc && mult < fast_mult)) {
                fast_cyc = cyc;
                fast_mult = mult;
                fast_pe = pe;
                fast_simd = simd;
            }
            if (cyc > target)
                continue;
            if (best_mult < 0 || mult < best_mult || (mult == best_mult && cyc > best_cyc)) {
                best_mult = mult;
                best_cyc = cyc;
                best_pe = pe;
                best_simd = simd;
            }
        }
    }
    if (best_mult < 0) {
        L->pe = fast_pe ? fast_pe : fixed_pe ? fixed_pe : L->c;
        L->simd = fast_simd ? fast_simd : fixed_simd ? fixed_simd : kkc;
        return;
    }
    L->pe = best_pe;
    L->simd = best_simd;
}

/* The target the chooser folds to: the driver's tightened one, else the
 * file's or --target-cycles. */
static long fold_target(const ir_net *net)
{
    return net->fold_target > 0 ? net->fold_target : net->target_cpf;
}

/* Folding of an add: PE channels per cycle, NF = C / PE cycles per pixel.
 * Given in the YAML ('pe'), else with a target the fewest lanes (each has
 * three requantizers) whose H*W*NF cycles per frame meet it, else PE = C. */
static int add_folding(const ir_net *net, ir_layer *L)
{
    if (!L->pe && fold_target(net) > 0) {
        for (int pe = 1; pe <= L->c && !L->pe; pe++) {
            L->pe = pe;
            if (L->c % pe || stage_frame_cycles(net, L) > fold_target(net))
                L->pe = 0;
        }
    }
    if (!L->pe)
        L->pe = L->c;
    if (L->c % L->pe) {
        diag_node(fy_node_mapping_lookup_by_string(L->node, "pe", (size_t)-1),
                  "'pe' (%d) must divide the %d channels of add '%s'", L->pe, L->c, L->name);
        return -1;
    }
    return 0;
}

/* Pads and output size of a windowed layer over an H x W input.
 * TensorFlow 'same' (tensorflow/core/framework/kernel_shape_util.cc,
 * GetWindowedOutputSizeVerbose): out = ceil(H / S),
 * pad_total = max((out - 1) * S + K - H, 0), top = pad_total / 2 and the
 * odd row at the bottom (likewise left/right); 'valid': no pads,
 * out = (H - K) / S + 1; explicit pads: out = (H + top + bottom - K) / S + 1. */
static int window_shape(ir_layer *L, const ir_layer *a)
{
    int K = L->kernel, S = L->stride, i;
    if (L->padding == IR_PAD_SAME) {
        int oh = (a->h + S - 1) / S, ow = (a->w + S - 1) / S;
        int th = (oh - 1) * S + K - a->h, tw = (ow - 1) * S + K - a->w;
        th = th > 0 ? th : 0;
        tw = tw > 0 ? tw : 0;
        L->pad_t = th / 2;
        L->pad_b = th - th / 2;
        L->pad_l = tw / 2;
        L->pad_r = tw - tw / 2;
    } else if (L->padding == IR_PAD_VALID) {
        L->pad_t = L->pad_b = L->pad_l = L->pad_r = 0;
    } else {
        for (i = 0; i < 4; i++)
            if (L->pads[i] > K - 1) {
                diag_node(L->pad_node, "layer '%s': a pad of %d is more than K-1 = %d", L->name, L->pads[i], K - 1);
                return -1;
            }
        L->pad_t = L->pads[0];
        L->pad_b = L->pads[1];
        L->pad_l = L->pads[2];
        L->pad_r = L->pads[3];
    }
    if (a->h + L->pad_t + L->pad_b < K || a->w + L->pad_l + L->pad_r < K) {
        diag_node(L->node, "layer '%s': a %dx%d window needs an input of at least %dx%d with its padding, got %dx%d",
                  L->name, K, K, K, K, a->h + L->pad_t + L->pad_b, a->w + L->pad_l + L->pad_r);
        return -1;
    }
    L->h = (a->h + L->pad_t + L->pad_b - K) / S + 1;
    L->w = (a->w + L->pad_l + L->pad_r - K) / S + 1;
    return 0;
}

/* Folding of a conv2d, depthwise or dense layer: target, defaults (fully
 * parallel) and the divisibility and size checks. */
static int folding(ir_net *net, ir_layer *L)
{
    int depth = ir_mac_depth(L), rc = 0;
    if (fold_target(net) > 0)
        fold_to_target(net, L, fold_target(net));
    if (!L->pe)
        L->pe = L->c;
    if (!L->simd)
        L->simd = depth;
    if (L->c % L->pe) {
        diag_node(fy_node_mapping_lookup_by_string(L->node, "pe", (size_t)-1),
                  "'pe' (%d) must divide the %d output channels of '%s'", L->pe, L->c, L->name);
        rc = -1;
    }
    if ((long)L->pe * L->simd > CHECK_MAX_MULTIPLIERS) {
        diag_node(L->node, "layer '%s' needs %ld multipliers (PE %d x SIMD %d), more than %d; "
                  "set 'pe' and 'simd' to fold it", L->name, (long)L->pe * L->simd, L->pe, L->simd,
                  CHECK_MAX_MULTIPLIERS);
        rc = -1;
    }
    if (depth % L->simd) {
        diag_node(fy_node_mapping_lookup_by_string(L->node, "simd", (size_t)-1), "'simd' (%d) must divide %s = %d of '%s'",
                  L->simd, L->op == IR_CONV2D ? "K*K*C_in" : L->op == IR_DEPTHWISE ? "K*K" : "C_in", depth, L->name);
        rc = -1;
    }
    return rc;
}

static int shapes(ir_net *net)
{
    int i, rc = 0;
    for (i = 1; i < net->n_layers; i++) {
        ir_layer *L = &net->layers[i];
        const ir_layer *a = &net->layers[L->in[0]];
        int k, failed = 0;
        /* a producer whose shape could not be inferred was reported already:
         * skip its consumers rather than report follow-on errors */
        for (k = 0; k < L->n_inputs; k++)
            if (net->layers[L->in[k]].c == 0)
                failed = 1;
        if (failed)
            continue;
        /* pools keep the input's quantization */
        if (!ir_has_weights(L->op) && L->op != IR_ADD) {
            L->scale = a->scale;
            L->zp = a->zp;
        }
        /* TFLite CalculateActivationRangeQuantized (kernels/kernel_util.cc):
         * ReLU clamps at Quantize(0) = zp, ReLU6 also at Quantize(6) =
         * zp + TfLiteRound(6.0f / scale), a float32 division and a float
         * round, half away from zero (q_quantize_f32) */
        L->act_min = (L->relu || L->relu6) ? L->zp : -128;
        L->act_max = 127;
        if (L->relu6) {
            int64_t q6 = q_quantize_f32(L->scale, L->zp, 6.0f);
            L->act_max = q6 < 127 ? (int)q6 : 127;
            if (L->act_max < L->act_min)
                L->act_max = L->act_min;
        }
        L->in_c = a->c;
        switch (L->op) {
        case IR_CONV2D:
        case IR_DEPTHWISE:
            if (window_shape(L, a)) {
                rc = -1;
                continue;
            }
            L->c = L->op == IR_CONV2D ? L->filters : a->c;
            if (folding(net, L))
                rc = -1;
            else if (!rc && conv_weights(net, L, a))
                rc = -1;
            break;
        case IR_DENSE:
            if (a->h != 1 || a->w != 1) {
                if (net->resized)
                    diag_node(L->node, "cannot resize to %dx%d: dense '%s' needs a 1x1xC input and '%s' becomes %dx%dx%d "
                              "(a network with a dense layer keeps the input size its pooling was written for)",
                              net->layers[0].w, net->layers[0].h, L->name, a->name, a->h, a->w, a->c);
                else
                    diag_node(L->node, "dense '%s' needs a 1x1xC input (after a global pool); '%s' is %dx%dx%d",
                              L->name, a->name, a->h, a->w, a->c);
                rc = -1;
                continue;
            }
            L->h = L->w = 1;
            L->c = L->filters;
            if (folding(net, L))
                rc = -1;
            else if (!rc && conv_weights(net, L, a))
                rc = -1;
            break;
        case IR_MAX_POOL:
        case IR_AVG_POOL:
            if (L->op == IR_AVG_POOL && (L->padding != IR_PAD_VALID &&
                                         (L->padding != IR_PAD_EXPLICIT || L->pads[0] || L->pads[1] || L->pads[2] ||
                                          L->pads[3]))) {
                /* 'same' is fine when it happens to need no padding */
                if (window_shape(L, a) == 0 && !L->pad_t && !L->pad_b && !L->pad_l && !L->pad_r) {
                    L->padding = IR_PAD_VALID;
                } else {
                    diag_node(L->pad_node, "avg_pool2d '%s': only unpadded windows are supported (TFLite divides "
                              "border windows by their in-image count)", L->name);
                    rc = -1;
                    continue;
                }
            }
            if (window_shape(L, a)) {
                rc = -1;
                continue;
            }
            L->c = a->c;
            /* a pool over the whole input is a global pool: no line buffers */
            if (L->op == IR_AVG_POOL && L->kernel == a->h && L->kernel == a->w)
                L->op = IR_GLOBAL_POOL;
            break;
        case IR_GLOBAL_POOL:
            L->h = L->w = 1;
            L->c = a->c;
            L->kernel = a->h == a->w ? a->h : 0;
            if (L->rounding == IR_ROUND_TFLM_MEAN) {
                /* TFLite Micro: PrepareMeanOrSumHelper's QuantizeMultiplier of
                 * input_scale / output_scale (equal here: (2^30, 1)), then
                 * QuantizedMeanOrSum folds 1/n into it */
                int32_t m;
                int sh;
                if (q_quantize_multiplier(a->scale / L->scale, &m, &sh) ||
                    q_mean_multiplier(m, sh, (long)a->h * a->w, &L->mean_mult, &L->mean_shift)) {
                    diag_node(L->node, "global_avg_pool '%s': no TFLite Micro MEAN multiplier", L->name);
                    rc = -1;
                }
            }
            break;
        case IR_ADD: {
            const ir_layer *b = &net->layers[L->in[1]];
            if (a->h != b->h || a->w != b->w || a->c != b->c) {
                diag_node(L->node, "add '%s': inputs '%s' (%dx%dx%d) and '%s' (%dx%dx%d) differ in shape", L->name,
                          a->name, a->h, a->w, a->c, b->name, b->h, b->w, b->c);
                rc = -1;
                continue;
            }
            L->h = a->h;
            L->w = a->w;
            L->c = a->c;
            if (add_folding(net, L))
                rc = -1;
            if (q_add_prepare(a->scale, b->scale, L->scale, &L->addp)) {
                diag_node(L->node, "add '%s': scales give no valid TFLite ADD parameters", L->name);
                rc = -1;
            }
            break;
        }
        default:
            break;
        }
    }
    return rc;
}

static int usage(ir_net *net)
{
    int i, k, rc = 0;
    for (i = 0; i < net->n_layers; i++)
        net->layers[i].n_consumers = (i == net->output);
    for (i = 1; i < net->n_layers; i++)
        for (k = 0; k < net->layers[i].n_inputs; k++)
            net->layers[net->layers[i].in[k]].n_consumers++;
    for (i = 1; i < net->n_layers; i++)
        if (!net->layers[i].n_consumers) {
            diag_node(net->layers[i].node, "layer '%s' is not used: no layer takes it as input and it is not the output",
                      net->layers[i].name);
            rc = -1;
        }
    if (!net->layers[0].n_consumers) {
        diag_node(net->layers[0].node, "no layer takes 'input' as input");
        rc = -1;
    }
    for (i = 1; i < net->n_layers; i++)
        if (net->layers[i].op == IR_ADD && net->layers[i].in[0] == net->layers[i].in[1]) {
            diag_node(net->layers[i].node, "add '%s' takes '%s' twice", net->layers[i].name,
                      net->layers[net->layers[i].in[0]].name);
            rc = -1;
        }
    return rc;
}

int ir_load(const char *path, int width, int height, ir_net *net)
{
    ir_load_opts o = {0};
    o.width = width;
    o.height = height;
    return ir_load_ex(path, &o, net);
}

int ir_load_ex(const char *path, const ir_load_opts *o, ir_net *net)
{
    static const ir_load_opts none;
    int width, height;
    if (!o)
        o = &none;
    width = o->width;
    height = o->height;
    memset(net, 0, sizeof *net);
    if (parse_file(path, net))
        return -1;
    if (width > 0 && height > 0 && (width != net->layers[0].w || height != net->layers[0].h)) {
        /* the file's cycles_per_frame is per pixel of its own resolution:
         * the same folding at another size (an fps target is a frame rate
         * and stays; --target-cycles replaces both) */
        if (net->target_per_pixel && net->target_cpf > 0) {
            double t = (double)net->target_cpf * ((double)width * height) /
                       ((double)net->layers[0].w * net->layers[0].h);
            net->target_cpf = t < 1 ? 1 : t > 2e9 ? 2000000000L : (long)t;
        }
        net->layers[0].w = width;
        net->layers[0].h = height;
        net->resized = 1;
    }
    if (o->target_cpf > 0)
        net->target_cpf = o->target_cpf;
    net->fold_target = o->fold_target;
    net->registered_ready = o->registered_ready;
    return ir_check(net);
}

/* The multiplier budget (max_multipliers) over all convs, and a target
 * that no folding can reach. */
static int budget(ir_net *net)
{
    long total = 0;
    int i, rc = 0;
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        long need;
        if (!ir_has_weights(L->op))
            continue;
        need = stage_frame_cycles(net, L);
        total += (long)L->pe * L->simd;
        if (net->target_cpf > 0 && need > net->target_cpf) {
            diag_node(net->target_node, "a target of %ld cycles per frame is out of reach for '%s', which needs at least %ld",
                      net->target_cpf, L->name, need);
            rc = -1;
        }
    }
    if (net->max_multipliers > 0 && total > net->max_multipliers) {
        diag_node(net->target_node ? net->target_node : net->layers[0].node,
                  "the folding needs %ld multipliers, more than max_multipliers = %ld: lower the target or PE/SIMD",
                  total, net->max_multipliers);
        rc = -1;
    }
    return rc;
}

int ir_check(ir_net *net)
{
    if (resolve(net))
        return -1;
    if (toposort(net))
        return -1;
    if (usage(net))
        return -1;
    if (shapes(net))
        return -1;
    return budget(net);
}
