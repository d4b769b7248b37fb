#!/usr/bin/env python3
"""The bridge's answers to bad input (docs/boards.md, "Errors"), through the
simulated board of uart_pty_sim:

  protocol_check.py PTY H W C_IN H_OUT W_OUT C_OUT

info request -> info reply with the shapes and the pacing lead; an unknown TYPE -> error frame
with STATUS bit 3; a wrong LEN -> error frame, bit 2; an image with a wrong
CRC -> its output frame with STATUS bit 0; then a good image -> STATUS 0;
half an image and silence -> (a cut output frame and) an error frame with
STATUS bit 4, the pipeline reset, and the next image right again. The
simulated board must be built with TIMEOUT below uart_pty_sim's IDLE. The
images are sent whole, not paced: for networks with no more output than
input bytes (no pacing, the lead is the whole image), such as board_tiny.
Prints one line per check; exit 0 when all pass."""
import os, sys, termios, time, tty

def crc16(data, crc=0xFFFF):
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021 if crc & 0x8000 else crc << 1) & 0xFFFF
    return crc

def frame(typ, payload, bad_crc=False):
    body = bytes([typ]) + len(payload).to_bytes(3, "big") + payload
    c = crc16(body) ^ (0x0001 if bad_crc else 0)
    return b"\xa5\x5a" + body + c.to_bytes(2, "big")

def read_exact(fd, n, deadline):
    out = b""
    while len(out) < n:
        if time.time() > deadline:
            raise TimeoutError("no answer")
        try:
            out += os.read(fd, n - len(out))
        except BlockingIOError:
            time.sleep(0.001)
    return out

def answer(fd, timeout=60):
    deadline = time.time() + timeout
    prev = b""
    while True:
        b = read_exact(fd, 1, deadline)
        if prev == b"\xa5" and b == b"\x5a":
            break
        prev = b
    h = read_exact(fd, 4, deadline)
    n = int.from_bytes(h[1:4], "big")
    rest = read_exact(fd, n + 3, deadline)
    body = h + rest[:n + 1]
    ok = crc16(body) == int.from_bytes(rest[n + 1:], "big")
    return h[0], rest[:n], rest[n], ok

def main():
    pty, dims = sys.argv[1], [int(x) for x in sys.argv[2:8]]
    fd = os.open(pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    tty.setraw(fd)
    n_in = dims[0] * dims[1] * dims[2]
    n_out = dims[3] * dims[4] * dims[5]
    img = bytes((i * 37 + 11) & 0xFF for i in range(n_in))
    checks = []
    def check(name, cond):
        print(("PASS " if cond else "FAIL ") + name)
        checks.append(cond)
    os.write(fd, frame(0x02, b""))
    t, p, s, ok = answer(fd)
    got = [int.from_bytes(p[1 + 2 * i:3 + 2 * i], "big") for i in range(6)] if len(p) == 16 else []
    lead = int.from_bytes(p[13:16], "big") if len(p) == 16 else 0
    check("info reply: type 0x82, protocol 2, shapes %s, lead %d of %d bytes" % (dims, lead, n_in),
          ok and t == 0x82 and p[:1] == b"\x02" and got == dims and 1 <= lead <= n_in)
    os.write(fd, frame(0x33, b""))
    t, p, s, ok = answer(fd)
    check("unknown type: error frame, STATUS 0x08", ok and t == 0xFF and not p and s == 0x08)
    os.write(fd, b"\xa5\x5a\x01" + (n_in + 1).to_bytes(3, "big"))
    t, p, s, ok = answer(fd)
    check("wrong length: error frame, STATUS 0x04", ok and t == 0xFF and not p and s == 0x04)
    os.write(fd, frame(0x01, img, bad_crc=True))
    t, p, s, ok = answer(fd)
    check("wrong CRC: output frame of %d bytes with STATUS 0x01" % n_out, ok and t == 0x81 and len(p) == n_out and s == 0x01)
    os.write(fd, frame(0x01, img))
    t, p2, s, ok = answer(fd)
    check("good image: STATUS 0, same output as the one with the wrong CRC", ok and t == 0x81 and s == 0 and p2 == p)
    os.write(fd, frame(0x01, img)[:6 + n_in // 2])
    seen, deadline = b"", time.time() + 60
    err = b"\xa5\x5a\xff\x00\x00\x00\x10"
    while err not in seen and time.time() < deadline:
        try:
            seen += os.read(fd, 4096)
        except BlockingIOError:
            time.sleep(0.01)
    i = seen.find(err)
    tail = seen[i + len(err):] + (read_exact(fd, 2, time.time() + 10) if 0 <= i and len(seen) - i - len(err) < 2 else b"")
    check("half an image, then silence: error frame, STATUS 0x10",
          i >= 0 and int.from_bytes(tail[:2], "big") == crc16(err[2:]))
    os.write(fd, frame(0x01, img))
    t, p3, s, ok = answer(fd)
    check("after the timeout: the same image gives the same output", ok and t == 0x81 and s == 0 and p3 == p)
    os.close(fd)
    sys.exit(0 if all(checks) else 1)

main()
