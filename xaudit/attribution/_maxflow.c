/*
 * Exact maximum flow in the layered attention graph of Abnar & Zuidema (2020),
 * "Quantifying Attention Flow in Transformers", ACL.
 *
 * Nodes are (l, i) for layer l = 0..L and token i; the edge (l, i) -> (l-1, k) has
 * capacity caps[l-1][i][k] (the residual-augmented, row-normalised attention of layer l).
 * For a source (S, c) and every sink (0, j) we compute the max-flow value; the n sinks of
 * one source are solved in turn, each from the previous sink's maximum flow:
 *   1. retarget: the flow into (1, i) beyond the new sink arc's capacity A_1[i, j] is
 *      cancelled back to the source, which leaves a feasible flow to sink j;
 *   2. push_down: a blocking flow on the downward arcs alone, over the layers pruned to the
 *      nodes that still reach the sink (these paths are the shortest, so no BFS is needed);
 *   3. stop when the flow reaches min(source out-capacity, sink in-capacity), a cut, so the
 *      flow is maximum; otherwise Dinic's phases (BFS levels, blocking flows) run until no
 *      augmenting path is left, which proves it maximum.
 * Arcs are enumerated by index in the dense layered structure (no adjacency lists); flows
 * are doubles stored twice, by tail and by head. A saturated source, sink or reverse arc
 * ends at exactly zero (r - r == 0); a forward arc's residual A - F can be left at about
 * one ulp, so residuals <= EPS count as empty, and a flow within BOUND_TOL of the bound
 * counts as reaching it.
 *
 * Python API: max_flows(caps, n_layers, n_tokens, sources, out)
 *   caps    float64 buffer, C order, shape (n_layers, n_tokens, n_tokens)
 *   sources int64 buffer of (source_layer, source_index) pairs, source_layer in 1..n_layers
 *   out     writable float64 buffer, shape (len(sources)/2, n_tokens): raw flow to each sink
 * The GIL is released while solving, so callers may run several calls in threads.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-15
#define BOUND_TOL 1e-13

typedef struct {
    int n;           /* tokens per layer */
    int top;         /* source layer S */
    const double *A; /* capacities; layer l (1-based) at A + (l-1)*n*n */
    double *F;       /* flow on edges out of layers 2..S-1; layer l at F + (l-1)*n*n */
    double *T;       /* the same flows by head: (l, i) -> (l-1, k) at T[(l-1)*n*n + k*n + i] */
    double *src;     /* residual capacity of source -> (S-1, k) */
    double *snk;     /* residual capacity of (1, i) -> sink */
    double *cap_snk; /* capacity of (1, i) -> sink for the current sink */
    int *dist;       /* BFS level of each node, -1 when unreached or dead */
    int *ptr;        /* current arc of each node (Dinic); retarget: first arc in that may carry flow */
    int *queue;
    int *path;       /* DFS path of nodes */
    int words;       /* 64-bit words per bit set of n tokens */
    uint64_t *open;  /* per node u at open + u*words: bit k set iff its downward arc to token k has
                        residual > EPS (the source's: its arc to (S-1, k)) */
    uint64_t *alive; /* per layer l at alive + (l-1)*words: push_down's nodes not pruned or dead */
    int *left;       /* BFS: unreached nodes per layer */
    int *lo, *hi;    /* BFS: lowest and highest level per layer */
    int source, sink;
} Net;

static inline void set_bit(uint64_t *bits, int k, int on) {
    const uint64_t bit = (uint64_t)1 << (k & 63);
    bits[k >> 6] = on ? bits[k >> 6] | bit : bits[k >> 6] & ~bit;
}

/* The lowest k set in both bit sets, or -1. */
static inline int first_common(const uint64_t *a, const uint64_t *b, int words) {
    for (int w = 0; w < words; w++)
        if (a[w] & b[w]) return w * 64 + __builtin_ctzll(a[w] & b[w]);
    return -1;
}

/* Add delta to the flow on the arc (l, i) -> (l-1, k), 2 <= l <= top-1, in both layouts. */
static inline void add_flow(Net *g, int l, int i, int k, double delta) {
    const size_t base = (size_t)(l - 1) * g->n * g->n, e = base + (size_t)i * g->n + k;
    g->F[e] += delta;
    g->T[base + (size_t)k * g->n + i] += delta;
    set_bit(g->open + (size_t)((l - 1) * g->n + i) * g->words, k, g->A[e] - g->F[e] > EPS);
}

/* Add delta to the residual capacity of the source's arc to (S-1, k). */
static inline void add_src(Net *g, int k, double delta) {
    g->src[k] += delta;
    set_bit(g->open + (size_t)g->source * g->words, k, g->src[k] > EPS);
}

/* Node ids: (l, i) for 1 <= l <= S-1 -> (l-1)*n + i; then source, then sink. */

/* Residual capacity of arc a out of node u, and its head in *v (-1: no such arc). */
static inline double arc(const Net *g, int u, int a, int *v) {
    const int n = g->n;
    if (u == g->source) {
        *v = (g->top - 2) * n + a;
        return g->src[a];
    }
    const int l = u / n + 1, i = u % n;
    if (a < n) {
        if (l == 1) {
            if (a != 0) { *v = -1; return 0.0; }
            *v = g->sink;
            return g->snk[i];
        }
        *v = (l - 2) * n + a;
        size_t e = (size_t)(l - 1) * n * n + (size_t)i * n + a;
        return g->A[e] - g->F[e];
    }
    const int k = a - n;
    if (l + 1 > g->top - 1) { *v = -1; return 0.0; }
    *v = l * n + k;
    return g->T[(size_t)l * n * n + (size_t)i * n + k];
}

/* Send delta along arc a out of node u. */
static inline void push(Net *g, int u, int a, double delta) {
    const int n = g->n;
    if (u == g->source) { add_src(g, a, -delta); return; }
    const int l = u / n + 1, i = u % n;
    if (a < n) {
        if (l == 1) { g->snk[i] -= delta; return; }
        add_flow(g, l, i, a, delta);
        return;
    }
    add_flow(g, l + 1, a - n, i, -delta);
}

/* BFS visit of node v from a node at level `level`. */
static inline void visit(Net *g, int v, int level, int *tail) {
    g->dist[v] = level + 1;
    g->queue[(*tail)++] = v;
    if (v < g->source) {
        const int l = v / g->n;
        g->left[l]--;
        if (level + 1 < g->lo[l]) g->lo[l] = level + 1;
        if (level + 1 > g->hi[l]) g->hi[l] = level + 1;
    }
}

/*
 * BFS levels of the residual graph (Dinic). The graph is layered: a node's arcs lead only to
 * the layers just below and just above it, so once every node of such a layer is reached its
 * arcs into it are not scanned; dense attention reaches whole layers after a few nodes.
 */
static int bfs(Net *g, int n_nodes) {
    const int n = g->n, top = g->top;
    for (int u = 0; u < n_nodes; u++) g->dist[u] = -1;
    for (int l = 0; l < top - 1; l++) { /* unreached nodes of layer l+1, and the range of its levels */
        g->left[l] = n;
        g->lo[l] = n_nodes;
        g->hi[l] = -1;
    }
    int head = 0, tail = 0;
    g->dist[g->source] = 0;
    g->queue[tail++] = g->source;
    while (head < tail) {
        const int u = g->queue[head++], level = g->dist[u];
        if (g->dist[g->sink] >= 0 && level >= g->dist[g->sink]) break;
        if (u == g->source) {
            for (int k = 0; k < n; k++)
                if (g->src[k] > EPS) visit(g, (top - 2) * n + k, level, &tail);
            continue;
        }
        const int l = u / n + 1, i = u % n;
        if (l == 1) {
            if (g->snk[i] > EPS && g->dist[g->sink] < 0) visit(g, g->sink, level, &tail);
        } else if (g->left[l - 2] > 0) {
            const double *cap = g->A + (size_t)(l - 1) * n * n + (size_t)i * n;
            const double *flow = g->F + (size_t)(l - 1) * n * n + (size_t)i * n;
            int *dist = g->dist + (l - 2) * n;
            for (int k = 0; k < n; k++)
                if (dist[k] < 0 && cap[k] - flow[k] > EPS) visit(g, (l - 2) * n + k, level, &tail);
        }
        if (l + 1 <= top - 1 && g->left[l] > 0) { /* reverse arcs up to (l+1, k) */
            const double *flow = g->T + (size_t)l * n * n + (size_t)i * n;
            int *dist = g->dist + l * n;
            for (int k = 0; k < n; k++)
                if (dist[k] < 0 && flow[k] > EPS) visit(g, l * n + k, level, &tail);
        }
    }
    return g->dist[g->sink] >= 0;
}

/* Whether some node of layer l+1 (0-based index l) had BFS level `level` (levels only fall to -1 since). */
static inline int level_in(const Net *g, int l, int level) {
    return g->lo[l] <= level && level <= g->hi[l];
}

/*
 * Advance the current arc of u to the first arc into the next BFS level with residual
 * capacity; return its head, or -1 (u is a dead end). Arcs into layers without a node at
 * that level are skipped whole; below the sink's level only the sink itself is entered.
 */
static int next_arc(Net *g, int u, int sink_level) {
    const int n = g->n, want = g->dist[u] + 1;
    int *a = g->ptr + u;
    if (u == g->source) {
        const int *dist = g->dist + (g->top - 2) * n;
        for (; *a < n; ++*a)
            if (dist[*a] == want && g->src[*a] > EPS) return (g->top - 2) * n + *a;
        return -1;
    }
    const int l = u / n + 1, i = u % n;
    if (l == 1) {
        if (*a == 0 && g->dist[g->sink] == want && g->snk[i] > EPS) return g->sink;
        if (*a < n) *a = n;
    } else if (*a < n && want < sink_level && level_in(g, l - 2, want)) {
        const size_t row = (size_t)(l - 1) * n * n + (size_t)i * n;
        const int *dist = g->dist + (l - 2) * n;
        for (; *a < n; ++*a)
            if (dist[*a] == want && g->A[row + *a] - g->F[row + *a] > EPS) return (l - 2) * n + *a;
    }
    if (*a < n) *a = n;
    if (l + 1 <= g->top - 1 && want < sink_level && level_in(g, l, want)) { /* reverse arcs up to (l+1, k) */
        const double *flow = g->T + (size_t)l * n * n + (size_t)i * n;
        const int *dist = g->dist + l * n;
        for (; *a < 2 * n; ++*a)
            if (dist[*a - n] == want && flow[*a - n] > EPS) return l * n + *a - n;
    }
    *a = 2 * n;
    return -1;
}

static double blocking_flow(Net *g) {
    double total = 0.0;
    int depth = 0;
    const int sink_level = g->dist[g->sink];
    g->path[0] = g->source;
    for (;;) {
        int u = g->path[depth];
        if (u == g->sink) {
            double bottleneck = 1e300;
            int at = 0;
            for (int d = 0; d < depth; d++) {
                int v, w = g->path[d];
                double r = arc(g, w, g->ptr[w], &v);
                if (r < bottleneck) { bottleneck = r; at = d; }
            }
            for (int d = 0; d < depth; d++) push(g, g->path[d], g->ptr[g->path[d]], bottleneck);
            total += bottleneck;
            depth = at; /* retreat to the tail of the saturated arc */
            continue;
        }
        const int next = next_arc(g, u, sink_level);
        if (next >= 0) {
            g->path[++depth] = next;
        } else {
            g->dist[u] = -1; /* dead end for this phase */
            if (depth == 0) break;
            depth--;
            g->ptr[g->path[depth]]++;
        }
    }
    return total;
}

/* Residual capacity of the downward arc from (l, i) to (l-1, k), 2 <= l <= top-1. */
static inline double down(const Net *g, int l, int i, int k) {
    size_t e = (size_t)(l - 1) * g->n * g->n + (size_t)i * g->n + k;
    return g->A[e] - g->F[e];
}

/*
 * Prune the layered graph to the nodes that still reach the sink along downward arcs with
 * residual capacity: layer 1 keeps the nodes with residual sink capacity, layer l the nodes
 * with such an arc into a kept node of layer l-1 (a bit set intersection per node).
 */
static void prune(Net *g) {
    const int n = g->n, words = g->words;
    memset(g->alive, 0, sizeof(uint64_t) * (size_t)g->top * words);
    for (int i = 0; i < n; i++) set_bit(g->alive, i, g->snk[i] > EPS);
    for (int l = 2; l <= g->top - 1; l++) {
        const uint64_t *below = g->alive + (size_t)(l - 2) * words;
        for (int i = 0; i < n; i++)
            if (first_common(g->open + (size_t)((l - 1) * n + i) * words, below, words) >= 0)
                set_bit(g->alive + (size_t)(l - 1) * words, i, 1);
    }
}

/* Residual capacity of the downward arc at path depth d (depth d holds layer top-d). */
static inline double path_arc(const Net *g, int d) {
    if (d == 0) return g->src[g->path[1]];
    if (d == g->top - 1) return g->snk[g->path[d]];
    return down(g, g->top - d, g->path[d], g->path[d + 1]);
}

static inline void path_push(Net *g, int d, double delta) {
    if (d == 0) { add_src(g, g->path[1], -delta); return; }
    if (d == g->top - 1) { g->snk[g->path[d]] -= delta; return; }
    add_flow(g, g->top - d, g->path[d], g->path[d + 1], delta);
}

/*
 * Blocking flow on downward arcs only: every such path has exactly top arcs, so these are
 * the shortest augmenting paths and the layers are Dinic's levels, with no BFS. Depth-first:
 * each step takes the lowest token whose arc is open and whose node is alive (bit sets, so
 * saturated arcs and dead nodes cost nothing to skip); a node that leads nowhere dies.
 * Path depth d holds the node of layer top-d (depth 0: the source; depth top: the sink).
 */
static void push_down(Net *g) {
    const int n = g->n, top = g->top, words = g->words;
    prune(g);
    int depth = 0;
    for (;;) {
        if (depth == top) { /* at the sink: augment by the bottleneck, retreat to its tail */
            double bottleneck = 1e300;
            int at = 0;
            for (int d = 0; d < top; d++) {
                double r = path_arc(g, d);
                if (r < bottleneck) { bottleneck = r; at = d; }
            }
            for (int d = 0; d < top; d++) path_push(g, d, bottleneck);
            depth = at;
            continue;
        }
        const int l = top - depth; /* layer of the node at this depth (top: the source) */
        int next = -1;
        if (l == 1) {
            next = g->snk[g->path[depth]] > EPS ? 0 : -1;
        } else {
            const int u = depth == 0 ? g->source : (l - 1) * n + g->path[depth];
            next = first_common(g->open + (size_t)u * words, g->alive + (size_t)(l - 2) * words, words);
        }
        if (next >= 0) {
            g->path[++depth] = next;
            continue;
        }
        if (depth == 0) break;
        set_bit(g->alive + (size_t)(l - 1) * words, g->path[depth], 0);
        depth--;
    }
}

/*
 * Remove `excess` units of the flow entering node (l, i) (1 <= l <= top-1), walking up
 * the arcs that carry it back to the source, so that the flow stays feasible when the
 * sink's arc out of (l, i) shrinks. Depth is at most top-1. g->ptr[(l-1)*n + i] is the
 * first arc into (l, i) that may still carry flow (arcs before it were emptied by this
 * retarget), so a node reached by many cancelled paths scans its arcs once.
 */
static void cancel(Net *g, int l, int i, double excess) {
    const int n = g->n;
    if (l == g->top - 1) {
        add_src(g, i, excess);
        return;
    }
    const double *in = g->T + (size_t)l * n * n + (size_t)i * n; /* arcs (l+1, k) -> (l, i) */
    int *k = g->ptr + (l - 1) * n + i;
    for (; *k < n && excess > 0.0; ++*k) {
        double f = in[*k];
        if (f <= 0.0) continue;
        double d = f < excess ? f : excess;
        add_flow(g, l + 1, *k, i, -d);
        cancel(g, l + 1, *k, d);
        excess -= d;
        if (d < f) break; /* this arc keeps flow: stay on it */
    }
}

/*
 * Warm start: turn the maximum flow to the previous sink into a feasible flow to sink j.
 * Node (1, i) keeps min(its flow, A_1[i, j]) as flow to the new sink; the rest is cancelled.
 */
static void retarget(Net *g, const double *A1, int j, int first) {
    const int n = g->n;
    memset(g->ptr, 0, sizeof(int) * (size_t)(g->top - 1) * n);
    for (int i = 0; i < n; i++) {
        double cap = A1[(size_t)i * n + j];
        double carried = first ? 0.0 : g->cap_snk[i] - g->snk[i];
        if (carried > cap) {
            cancel(g, 1, i, carried - cap);
            carried = cap;
        }
        g->cap_snk[i] = cap;
        g->snk[i] = cap - carried;
    }
}

/* The open-arc bit sets of the zero flow: every arc with capacity above EPS. */
static void open_arcs(Net *g) {
    const int n = g->n;
    memset(g->open, 0, sizeof(uint64_t) * (size_t)g->words * (g->source + 1));
    for (int l = 2; l <= g->top - 1; l++)
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
                if (g->A[(size_t)(l - 1) * n * n + (size_t)i * n + k] > EPS)
                    set_bit(g->open + (size_t)((l - 1) * n + i) * g->words, k, 1);
    for (int k = 0; k < n; k++) set_bit(g->open + (size_t)g->source * g->words, k, g->src[k] > EPS);
}

/* Raw max-flow values from (top, c) to every input token, written to out[0..n). */
static int solve_source(const double *A, int n, int top, int c, double *out) {
    if (top == 1) {
        memcpy(out, A + (size_t)c * n, sizeof(double) * n);
        return 0;
    }
    const int n_nodes = (top - 1) * n + 2;
    Net g;
    g.n = n;
    g.top = top;
    g.A = A;
    g.source = (top - 1) * n;
    g.sink = g.source + 1;
    const size_t flow_size = (size_t)top * n * n;
    double *reals = calloc(2 * flow_size + 3 * (size_t)n, sizeof(double));
    int *ints = malloc(sizeof(int) * (4 * (size_t)n_nodes + 1 + 4 * (size_t)top));
    g.words = (n + 63) / 64;
    uint64_t *bits = malloc(sizeof(uint64_t) * (size_t)g.words * (n_nodes + top));
    if (!reals || !ints || !bits) {
        free(reals);
        free(ints);
        free(bits);
        return -1;
    }
    g.F = reals;
    g.T = g.F + flow_size;
    g.src = g.T + flow_size;
    g.snk = g.src + n;
    g.cap_snk = g.snk + n;
    g.dist = ints;
    g.queue = g.dist + n_nodes;
    g.ptr = g.queue + n_nodes;
    g.path = g.ptr + n_nodes;
    g.left = g.path + n_nodes + 1;
    g.lo = g.left + top;
    g.hi = g.lo + top;
    g.open = bits;
    g.alive = g.open + (size_t)g.words * n_nodes;
    const double *source_row = A + (size_t)(top - 1) * n * n + (size_t)c * n;
    memcpy(g.src, source_row, sizeof(double) * n);
    open_arcs(&g);
    double source_cap = 0.0;
    for (int k = 0; k < n; k++) source_cap += source_row[k];
    for (int j = 0; j < n; j++) {
        retarget(&g, A, j, j == 0);
        double sink_cap = 0.0;
        for (int i = 0; i < n; i++) sink_cap += g.cap_snk[i];
        double bound = source_cap < sink_cap ? source_cap : sink_cap;
        push_down(&g);
        for (;;) {
            double flow = 0.0;
            for (int i = 0; i < n; i++) flow += g.cap_snk[i] - g.snk[i];
            out[j] = flow;
            if (flow >= bound - BOUND_TOL || !bfs(&g, n_nodes)) break;
            memset(g.ptr, 0, sizeof(int) * n_nodes);
            if (blocking_flow(&g) <= 0.0) break;
        }
    }
    free(reals);
    free(ints);
    free(bits);
    return 0;
}

static PyObject *max_flows(PyObject *self, PyObject *args) {
    Py_buffer caps, sources, out;
    int n_layers, n;
    if (!PyArg_ParseTuple(args, "y*iiy*w*", &caps, &n_layers, &n, &sources, &out)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n_jobs = sources.len / (Py_ssize_t)(2 * sizeof(int64_t));
    if (n_layers < 1 || n < 1 || caps.len != (Py_ssize_t)sizeof(double) * n_layers * n * n ||
        sources.len != n_jobs * (Py_ssize_t)(2 * sizeof(int64_t)) ||
        out.len != (Py_ssize_t)sizeof(double) * n_jobs * n) {
        PyErr_SetString(PyExc_ValueError, "max_flows: buffer sizes do not match the given shape");
        goto done;
    }
    const int64_t *jobs = sources.buf;
    for (Py_ssize_t t = 0; t < n_jobs; t++) {
        if (jobs[2 * t] < 1 || jobs[2 * t] > n_layers || jobs[2 * t + 1] < 0 || jobs[2 * t + 1] >= n) {
            PyErr_SetString(PyExc_ValueError, "max_flows: source out of range");
            goto done;
        }
    }
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t t = 0; t < n_jobs && !failed; t++) {
        failed = solve_source(caps.buf, n, (int)jobs[2 * t], (int)jobs[2 * t + 1], (double *)out.buf + t * n);
    }
    Py_END_ALLOW_THREADS
    if (failed) {
        PyErr_NoMemory();
        goto done;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&caps);
    PyBuffer_Release(&sources);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"max_flows", max_flows, METH_VARARGS,
     "max_flows(caps, n_layers, n_tokens, sources, out): raw max-flow values of the layered "
     "attention graph from each (layer, index) source to every input token."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_maxflow", NULL, -1, methods};

PyMODINIT_FUNC PyInit__maxflow(void) { return PyModule_Create(&module); }
