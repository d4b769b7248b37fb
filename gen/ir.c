/*
 * ir.c - the layer graph's own small facts (ir.h): op names and traits, a
 * layer's MAC depth, lookup by name, freeing. Every pass reads these; they
 * read nothing but the IR, so no pass depends on another through them.
 */
#include "ir.h"

#include <stdlib.h>
#include <string.h>

const char *ir_op_name(enum ir_op op)
{
    static const char *const names[] = {"input", "conv2d", "add", "depthwise_conv2d", "max_pool2d",
                                        "avg_pool2d", "global_avg_pool", "dense"};
    return (unsigned)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

int ir_has_weights(enum ir_op op)
{
    return op == IR_CONV2D || op == IR_DEPTHWISE || op == IR_DENSE;
}

int ir_uses_window(const ir_layer *L)
{
    if (L->op == IR_MAX_POOL || L->op == IR_AVG_POOL)
        return 1;
    if (L->op != IR_CONV2D && L->op != IR_DEPTHWISE)
        return 0;
    return L->kernel > 1 || L->stride > 1 || L->pad_t || L->pad_b || L->pad_l || L->pad_r;
}

int ir_mac_depth(const ir_layer *L)
{
    switch (L->op) {
    case IR_CONV2D:
        return L->kernel * L->kernel * L->in_c;
    case IR_DEPTHWISE:
        return L->kernel * L->kernel;
    case IR_DENSE:
        return L->in_c;
    default:
        return 0;
    }
}

int ir_find(const ir_net *net, const char *name)
{
    int i;
    for (i = 0; i < net->n_layers; i++)
        if (!strcmp(net->layers[i].name, name))
            return i;
    return -1;
}

void ir_net_free(ir_net *net)
{
    int i;
    for (i = 0; net->layers && i < net->n_layers; i++) {
        ir_layer *L = &net->layers[i];
        free(L->weights);
        free(L->bias);
        free(L->wscale);
        free(L->mult);
        free(L->shift);
    }
    free(net->layers);
    free(net->fifos);
    if (net->doc)
        fy_parse_document_destroy(net->parser, net->doc);
    if (net->parser)
        fy_parser_destroy(net->parser);
    memset(net, 0, sizeof *net);
}
