"""
tflite_fb.py - a minimal TensorFlow Lite FlatBuffer writer and reader for the
import tests (Python 3 standard library only).

Field ids follow tensorflow/lite/schema/schema.fbs (the vtable slot of id n is
4 + 2n; a union takes two ids, its type byte first). The writer lays objects
out front to back: a table or vector is written before the objects it points
to (FlatBuffers offsets point forward), each vtable just before its table.
It records the byte position of every object that has a `tag`, so tests can
corrupt exactly that place.

The reader is independent of resflow's C reader: the tests use it to check
the imported .npy files and scales against the model itself.
"""
import struct

# ---- writer ----

SCALAR = {"u8": "<B", "i8": "<b", "i32": "<i", "u32": "<I", "u64": "<Q", "f32": "<f"}


class Table:
    """fields: {id: (kind, value)}; kind is a SCALAR key or "ref" (value: Table, Vec or Str)."""

    def __init__(self, fields, tag=None):
        self.fields, self.tag = fields, tag


class Vec:
    """A vector of scalars (kind in SCALAR or "i64") or of references (kind "ref")."""

    def __init__(self, kind, items, tag=None):
        self.kind, self.items, self.tag = kind, list(items), tag


class Str:
    def __init__(self, s, tag=None):
        self.s, self.tag = s.encode(), tag


class Writer:
    def __init__(self):
        self.b = bytearray()
        self.pos = {}       # tag -> position of the object (table start, vector length word)
        self.pending = []   # (slot position, object) still to be written

    def align(self, n):
        while len(self.b) % n:
            self.b.append(0)

    def ref_slot(self, obj):
        """Reserves a 4-byte uoffset slot for obj, patched when obj is written."""
        self.pending.append((len(self.b), obj))
        self.b += b"\0\0\0\0"

    def write_table(self, t):
        ids = sorted(t.fields)
        n = (ids[-1] + 1) if ids else 0
        # inline layout: soffset (4), then each field aligned to its size
        layout, off = {}, 4
        for i in ids:
            kind, _ = t.fields[i]
            size = 4 if kind == "ref" else struct.calcsize(SCALAR[kind])
            off = (off + size - 1) // size * size
            layout[i] = off
            off += size
        tsize = off
        self.align(2)
        vt = len(self.b)
        self.b += struct.pack("<HH", 4 + 2 * n, tsize)
        for i in range(n):
            self.b += struct.pack("<H", layout.get(i, 0))
        self.align(8)
        tp = len(self.b)
        self.b += struct.pack("<i", tp - vt)
        for i in ids:
            kind, val = t.fields[i]
            size = 4 if kind == "ref" else struct.calcsize(SCALAR[kind])
            while len(self.b) - tp < layout[i]:
                self.b.append(0)
            if kind == "ref":
                self.ref_slot(val)
            else:
                self.b += struct.pack(SCALAR[kind], val)
        while len(self.b) - tp < tsize:
            self.b.append(0)
        return tp

    def write_vec(self, v):
        esize = 8 if v.kind in ("i64", "u64") else 4 if v.kind in ("ref", "i32", "u32", "f32") else 1
        # the elements (after the 4-byte length) aligned to their size, and to 16 for bytes (force_align)
        a = max(esize, 16 if esize == 1 else esize, 4)
        while (len(self.b) + 4) % a:
            self.b.append(0)
        p = len(self.b)
        self.b += struct.pack("<I", len(v.items))
        for x in v.items:
            if v.kind == "ref":
                self.ref_slot(x)
            elif v.kind == "i64":
                self.b += struct.pack("<q", x)
            elif v.kind == "u8":
                self.b.append(x & 0xFF)
            else:
                self.b += struct.pack(SCALAR[v.kind], x)
        return p

    def write_str(self, s):
        self.align(4)
        p = len(self.b)
        self.b += struct.pack("<I", len(s.s)) + s.s + b"\0"
        return p

    def write_obj(self, obj):
        p = (self.write_table(obj) if isinstance(obj, Table) else
             self.write_vec(obj) if isinstance(obj, Vec) else self.write_str(obj))
        if obj.tag:
            self.pos[obj.tag] = p
        return p

    def finish(self, root, ident=b"TFL3"):
        self.b += b"\0\0\0\0" + ident
        self.pending.append((0, root))
        while self.pending:
            slot, obj = self.pending.pop(0)
            p = self.write_obj(obj)
            struct.pack_into("<I", self.b, slot, p - slot)
        self.align(4)
        return bytes(self.b)


# ---- schema helpers (field ids from schema.fbs) ----

TYPES = {"float32": 0, "int32": 2, "uint8": 3, "int64": 4, "int8": 9}
OPS = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4, "DEQUANTIZE": 6,
       "FULLY_CONNECTED": 9, "MAX_POOL_2D": 17, "MUL": 18, "RESHAPE": 22, "SOFTMAX": 25, "PAD": 34,
       "MEAN": 40, "QUANTIZE": 114}
OPT = {"Conv2DOptions": 1, "DepthwiseConv2DOptions": 2, "Pool2DOptions": 5, "FullyConnectedOptions": 8,
       "SoftmaxOptions": 9, "AddOptions": 11, "ReshapeOptions": 17, "PadOptions": 22, "ReducerOptions": 27}


class Model:
    """Collects tensors, buffers and operators; build() gives the FlatBuffer."""

    def __init__(self):
        self.tensors, self.buffers, self.ops, self.codes = [], [b""], [], []
        self.inputs, self.outputs = [], []

    def tensor(self, name, shape, ttype="int8", scale=None, zp=None, data=None, qdim=0):
        buf = 0
        if data is not None:
            self.buffers.append(bytes(data))
            buf = len(self.buffers) - 1
        self.tensors.append(dict(name=name, shape=shape, type=TYPES[ttype], buffer=buf,
                                 scale=scale, zp=zp, qdim=qdim))
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, opt_type=None, opt=None):
        code = OPS[code]
        if code not in self.codes:
            self.codes.append(code)
        self.ops.append(dict(code=self.codes.index(code), inputs=inputs, outputs=outputs,
                             opt_type=opt_type, opt=opt or {}))
        return len(self.ops) - 1

    def build(self, ident=b"TFL3", version=3):
        tensors = []
        for i, t in enumerate(self.tensors):
            f = {0: ("ref", Vec("i32", t["shape"], tag="shape%d" % i)), 1: ("i8", t["type"]),
                 2: ("u32", t["buffer"]), 3: ("ref", Str(t["name"], tag="name%d" % i))}
            if t["scale"] is not None:
                q = {2: ("ref", Vec("f32", t["scale"], tag="scale%d" % i)),
                     3: ("ref", Vec("i64", t["zp"], tag="zp%d" % i)), 6: ("i32", t["qdim"])}
                f[4] = ("ref", Table(q, tag="quant%d" % i))
            tensors.append(Table(f, tag="tensor%d" % i))
        ops = []
        for i, o in enumerate(self.ops):
            f = {0: ("u32", o["code"]), 1: ("ref", Vec("i32", o["inputs"], tag="op%d_in" % i)),
                 2: ("ref", Vec("i32", o["outputs"], tag="op%d_out" % i))}
            if o["opt_type"]:
                f[3] = ("u8", OPT[o["opt_type"]])
                f[4] = ("ref", Table(o["opt"], tag="opt%d" % i))
            ops.append(Table(f, tag="op%d" % i))
        sg = Table({0: ("ref", Vec("ref", tensors, tag="tensors")), 1: ("ref", Vec("i32", self.inputs, tag="inputs")),
                    2: ("ref", Vec("i32", self.outputs, tag="outputs")),
                    3: ("ref", Vec("ref", ops, tag="operators")), 4: ("ref", Str("main"))}, tag="subgraph")
        codes = [Table({0: ("i8", min(c, 127)), 2: ("i32", 1), 3: ("i32", c)}, tag="opcode%d" % i)
                 for i, c in enumerate(self.codes)]
        bufs = [Table({0: ("ref", Vec("u8", b, tag="buffer%d" % i))} if b else {}, tag="buf%d" % i)
                for i, b in enumerate(self.buffers)]
        model = Table({0: ("u32", version), 1: ("ref", Vec("ref", codes, tag="opcodes")),
                       2: ("ref", Vec("ref", [sg], tag="subgraphs")), 3: ("ref", Str("resflow test model")),
                       4: ("ref", Vec("ref", bufs, tag="buffers"))}, tag="model")
        w = Writer()
        data = w.finish(model, ident)
        return data, w.pos


def i8(vals):
    return struct.pack("<%db" % len(vals), *vals)


def i32(vals):
    return struct.pack("<%di" % len(vals), *vals)


def f32(x):
    """x rounded to float32, as a Python float (exactly)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


# ---- reader (independent of resflow's) ----

class Reader:
    def __init__(self, data):
        self.d = data

    def u32(self, p):
        return struct.unpack_from("<I", self.d, p)[0]

    def table(self, p):
        vt = p - struct.unpack_from("<i", self.d, p)[0]
        return (p, vt, struct.unpack_from("<H", self.d, vt)[0])

    def field(self, t, fid):
        p, vt, vts = t
        slot = 4 + 2 * fid
        if slot + 2 > vts:
            return None
        fo = struct.unpack_from("<H", self.d, vt + slot)[0]
        return p + fo if fo else None

    def scalar(self, t, fid, fmt, default=0):
        f = self.field(t, fid)
        return struct.unpack_from(fmt, self.d, f)[0] if f is not None else default

    def ref(self, t, fid):
        f = self.field(t, fid)
        return f + self.u32(f) if f is not None else None

    def vec(self, t, fid, fmt):
        p = self.ref(t, fid)
        if p is None:
            return []
        n = self.u32(p)
        if fmt == "ref":
            return [self.table(p + 4 + 4 * i + self.u32(p + 4 + 4 * i)) for i in range(n)]
        size = struct.calcsize(fmt)
        return list(struct.unpack_from("<%d%s" % (n, fmt[-1]), self.d, p + 4)) if n else []

    def bytes_vec(self, t, fid):
        p = self.ref(t, fid)
        if p is None:
            return b""
        return self.d[p + 4:p + 4 + self.u32(p)]

    def model(self):
        """{tensors: [...], ops: [...], buffers: [...]} of subgraph 0."""
        m = self.table(self.u32(0))
        codes = [max(self.scalar(c, 0, "<b"), self.scalar(c, 3, "<i")) for c in self.vec(m, 1, "ref")]
        buffers = [self.bytes_vec(b, 0) for b in self.vec(m, 4, "ref")]
        sg = self.vec(m, 2, "ref")[0]
        tensors = []
        for t in self.vec(sg, 0, "ref"):
            q = self.ref(t, 4)
            qt = self.table(q) if q is not None else None
            tensors.append(dict(
                shape=self.vec(t, 0, "<i"), type=self.scalar(t, 1, "<b"),
                data=buffers[self.scalar(t, 2, "<I")],
                name=bytes(self.bytes_vec(t, 3)).decode(errors="replace"),
                scale=self.vec(qt, 2, "<f") if qt else [], zp=self.vec(qt, 3, "<q") if qt else [],
                qdim=self.scalar(qt, 6, "<i") if qt else 0))
        ops = [dict(code=codes[self.scalar(o, 0, "<I")], inputs=self.vec(o, 1, "<i"), outputs=self.vec(o, 2, "<i"))
               for o in self.vec(sg, 3, "ref")]
        return dict(tensors=tensors, ops=ops, inputs=self.vec(sg, 1, "<i"), outputs=self.vec(sg, 2, "<i"))


def read_npy(path):
    """(descr, shape, values) of a .npy written by resflow import."""
    d = open(path, "rb").read()
    assert d[:8] == b"\x93NUMPY\x01\x00", path
    hl = struct.unpack_from("<H", d, 8)[0]
    assert (10 + hl) % 64 == 0, "%s: header not padded to 64 bytes" % path
    h = d[10:10 + hl].decode()
    hd = eval(h, {"__builtins__": {}}, {"False": False, "True": True})
    fmt = {"|i1": "b", "<i4": "i", "<f4": "f"}[hd["descr"]]
    n = 1
    for s in hd["shape"]:
        n *= s
    body = d[10 + hl:]
    assert len(body) == n * struct.calcsize(fmt), "%s: data size" % path
    assert hd["fortran_order"] is False
    return hd["descr"], tuple(hd["shape"]), list(struct.unpack("<%d%s" % (n, fmt), body))
