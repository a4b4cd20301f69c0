#!/usr/bin/env python3
"""timeline_check.py - checks a timeline picture against its job log.

    timeline_check.py PICTURE.svg [JOBLOG] [--lanes]

Checks that PICTURE parses as XML, is a standalone SVG (no script, no event
handler, no link, nothing loaded from elsewhere), that no two bars of a lane
overlap and every bar lies inside the plot, and that the tick labels start
at 0 and are evenly spaced.  With JOBLOG (tab-separated or JSON lines), also
that there is exactly one bar per job line (a merged bar counts the jobs
its tooltip names), each single bar with the colour class of its job's
outcome, placed at its start on the axis (to a pixel: a bar may give way
to one under a pixel before it), a job in a merged bar within a bar of its
outcome, that the axis covers the run and that the summary line counts the
jobs and the failures.

Prints what it found, one fact per line (bars, merged, lanes, ticks, jobs,
summary), and with --lanes the sequence numbers of each lane's single bars;
exits 1 with a message on the first problem.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

NS = "{http://www.w3.org/2000/svg}"
PLOTW = Decimal(1060)
CLASSES = ("ok", "fail", "sig")
PIXEL = Decimal(1)
TENTH = Decimal("0.1")


def fail(msg):
    print("timeline_check: " + msg, file=sys.stderr)
    sys.exit(1)


def seconds(label):
    """The time a tick label names: 0, 250ms, 1.5s, 2m30s, 1h."""
    if label == "0":
        return Decimal(0)
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m(?!s))?(?:([\d.]+)s)?(?:(\d+)ms)?",
                     label)
    if not m or not any(m.groups()):
        fail("tick label %r is not a duration" % label)
    h, mi, s, ms = m.groups()
    return (Decimal(h or 0) * 3600 + Decimal(mi or 0) * 60 +
            Decimal(s or 0) + Decimal(ms or 0) / 1000)


def standalone(root):
    for e in root.iter():
        tag = e.tag.replace(NS, "")
        if tag in ("script", "foreignObject", "image", "use", "a"):
            fail("a <%s> element" % tag)
        for k, v in e.attrib.items():
            if k.lower().startswith("on") or "href" in k:
                fail("attribute %s on <%s>" % (k, tag))
            if "url(" in v:
                fail("url() in %s" % k)
        if tag == "style" and ("url(" in (e.text or "") or
                               "@import" in (e.text or "")):
            fail("the style loads something")


def bars_of(root):
    """[(lane, x, width, class, title)], x and width in Decimal pixels."""
    bars = []
    lane = 0
    for g in root.iter(NS + "g"):
        if not g.get("transform", "").startswith("translate("):
            continue
        lane += 1
        for r in g.findall(NS + "rect"):
            t = r.find(NS + "title")
            if t is None:
                fail("a bar without a title in lane %d" % lane)
            cls = r.get("class")
            if cls not in CLASSES:
                fail("bar class %r" % cls)
            bars.append((lane, Decimal(r.get("x")), Decimal(r.get("width")),
                         cls, t.text or ""))
    return bars


def check_lanes(bars):
    lanes = {}
    for b in bars:
        lanes.setdefault(b[0], []).append(b)
    for lane, bs in lanes.items():
        bs.sort(key=lambda b: b[1])
        for a, b in zip(bs, bs[1:]):
            if a[1] + a[2] > b[1]:
                fail("lane %d: bars at %s (width %s) and %s overlap" %
                     (lane, a[1], a[2], b[1]))
        for b in bs:
            if b[1] < 0 or b[1] + b[2] > PLOTW or b[2] < 0:
                fail("lane %d: bar at %s width %s leaves the plot" %
                     (lane, b[1], b[2]))
    return lanes


def ticks_of(root):
    ticks = [(Decimal(t.get("x")), seconds(t.text))
             for t in root.iter(NS + "text") if t.get("class") == "t"]
    if not ticks and not list(root.iter(NS + "g")):
        return ticks    # no job drawn: no axis
    if len(ticks) < 2:
        fail("fewer than two ticks")
    if ticks[0][1] != 0:
        fail("the axis does not start at 0")
    step = ticks[1][1] - ticks[0][1]
    for i, (x, t) in enumerate(ticks):
        if t != step * i:
            fail("tick %d is %s, not %s" % (i, t, step * i))
    return ticks


def outcome(rec):
    if rec["sig"] or rec["timed_out"]:
        return "sig"
    return "fail" if rec["exit"] != 0 else "ok"


def read_log(path):
    recs = []
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif lines:
        lines.pop()  # cut short: not drawn
    for line in lines:
        if line.startswith(b"Seq\tHost\t") or not line.strip():
            continue
        if line.lstrip().startswith(b"{"):
            o = json.loads(line)
            recs.append(dict(seq=o["seq"], start=Decimal(repr(o["start"])),
                             runtime=Decimal(repr(o["runtime"])),
                             exit=o.get("exit", 0) if o.get("exit", 0)
                             is not None else -1,
                             sig=o.get("signal") not in (None, False, ""),
                             timed_out=bool(o.get("timed_out"))))
        else:
            f = line.split(b"\t", 8)
            recs.append(dict(seq=int(f[0]), start=Decimal(f[2].decode()),
                             runtime=Decimal(f[3].decode().strip()),
                             exit=int(f[6]), sig=int(f[7]) != 0,
                             timed_out=False))
    return recs


def check_log(root, bars, ticks, recs):
    drawn = [r for r in recs if r["start"] > 0]
    single = {}
    merged = []
    njobs = 0
    for b in bars:
        m = re.match(r"(\d+) jobs, #(\d+) to #(\d+)", b[4])
        if m:
            njobs += int(m.group(1))
            merged.append((int(m.group(2)), int(m.group(3)), b))
            continue
        m = re.match(r"#(\d+) on ", b[4])
        if not m:
            fail("bar title %r" % b[4])
        single.setdefault(int(m.group(1)), []).append(b)
        njobs += 1
    if njobs != len(drawn):
        fail("%d jobs in the bars, %d drawable lines in the log" %
             (njobs, len(drawn)))
    t0 = min(r["start"] for r in drawn)
    end = max(r["start"] + r["runtime"] for r in drawn)
    if ticks[-1][1] < end - t0:
        fail("the axis ends at %s, the run at %s" % (ticks[-1][1], end - t0))
    axis = ticks[-1][1]
    for r in drawn:
        x = ((r["start"] - t0) / axis * PLOTW * 10).quantize(
            Decimal(1), rounding="ROUND_HALF_UP") / 10
        for b in single.get(r["seq"], []):
            if b[3] != outcome(r):
                continue
            # The picture computes in binary floating point (a tenth of a
            # pixel either way), and a bar gives way to a bar under a pixel
            # before it (up to a pixel).
            if -TENTH <= b[1] - x <= PIXEL + TENTH:
                single[r["seq"]].remove(b)
                break
        else:
            # A job in a merged bar: one of its outcome that spans it.
            if not any(lo <= r["seq"] <= hi and b[3] == outcome(r) and
                       b[1] - PIXEL - TENTH <= x <= b[1] + b[2] + PIXEL
                       for lo, hi, b in merged):
                fail("no %s bar at the start of job %d" %
                     (outcome(r), r["seq"]))
    summary = [t.text for t in root.iter(NS + "text") if t.get("x") == "10"
               and t.get("y") == "46"]
    failed = sum(1 for r in recs if outcome(r) != "ok")
    want = "%d job%s, %d failed" % (len(recs), "" if len(recs) == 1 else "s",
                                    failed)
    if not summary or not summary[0].startswith(want):
        fail("summary %r does not start with %r" % (summary, want))
    return njobs, summary[0]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    try:
        root = ET.parse(args[0]).getroot()
    except ET.ParseError as e:
        fail("not XML: %s" % e)
    if root.tag != NS + "svg":
        fail("the root is %s, not svg" % root.tag)
    standalone(root)
    bars = bars_of(root)
    lanes = check_lanes(bars)
    ticks = ticks_of(root)
    print("bars %d" % len(bars))
    merged = sum(1 for b in bars if re.match(r"\d+ jobs, ", b[4]))
    print("merged %d" % merged)
    print("lanes %d" % len(lanes))
    print("ticks %s" % " ".join(t.text for t in root.iter(NS + "text")
                                if t.get("class") == "t"))
    if len(args) > 1:
        njobs, summary = check_log(root, bars, ticks, read_log(args[1]))
        print("jobs %d" % njobs)
        print("summary %s" % summary)
    if "--lanes" in sys.argv:
        for lane in sorted(lanes):
            print("lane %d: %s" % (lane, " ".join(
                re.match(r"#(\d+)", b[4]).group(1) for b in lanes[lane]
                if b[4].startswith("#"))))


main()
