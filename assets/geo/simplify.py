#!/usr/bin/env python3
"""Simplifies the MapSVG county map once into assets/geo/kenya-counties.svg.

Run from the repository root with the source file (CC BY 4.0, see README.md here):
    python3 assets/geo/simplify.py path/to/kenya-counties.svg > assets/geo/kenya-counties.svg

What it does, and why:
* coordinates become absolute and are rounded to one decimal (in a 458 x 580
  viewBox nothing smaller shows on a page or a screen);
* borders shared by two counties are simplified once, as one arc (Douglas-Peucker,
  TOLERANCE units), so neighbours keep exactly the same border: simplifying each
  county on its own would open slivers between them;
* islands smaller than MIN_AREA square units are dropped;
* paths are written as relative moves with one decimal and no redundant characters,
  which keeps the page's inline map small.
The Rust side (src/geo) reads only `id` and `d`; names stay for people reading the file.
"""
import re
import sys

TOLERANCE = 2.0   # viewBox units (the map is ~460 units wide): under 1 pt in print
MIN_AREA = 2.0    # square units


def rings_of(d):
    toks = re.findall(r"[mzMZ]|-?[\d.]+(?:e-?\d+)?", d)
    rings, cur, x, y, start, mode, i = [], None, 0.0, 0.0, (0.0, 0.0), None, 0
    while i < len(toks):
        t = toks[i]
        if t in "mM":
            assert t == "m", "only relative moves are expected"
            mode = "m"
            i += 1
            continue
        if t in "zZ":
            if cur:
                rings.append(cur)
            cur = None
            x, y = start
            i += 1
            continue
        x += float(t)
        y += float(toks[i + 1])
        i += 2
        if mode == "m":
            if cur:
                rings.append(cur)
            cur, start, mode = [(x, y)], (x, y), "l"
        else:
            cur.append((x, y))
    if cur:
        rings.append(cur)
    return rings


def tenths(ring):
    out = []
    for x, y in ring:
        p = (round(x * 10), round(y * 10))
        if not out or out[-1] != p:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def dp(points, tol):
    """Douglas-Peucker on integer tenths; the two ends always stay."""
    if len(points) < 3:
        return list(points)
    tol10 = tol * 10
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, at = -1.0, None
        for k in range(a + 1, b):
            px, py = points[k]
            if norm == 0:
                dist = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                dist = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if dist > best:
                best, at = dist, k
        if at is not None and best > tol10:
            keep[at] = True
            stack.append((a, at))
            stack.append((at, b))
    return [p for p, k in zip(points, keep) if k]


def area(ring):
    s = 0
    for i in range(len(ring)):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % len(ring)]
        s += x1 * y2 - x2 * y1
    return abs(s) / 2 / 100  # square units


def num(v):
    """Tenths as the shortest decimal text: 12 -> 1.2, -5 -> -.5, 30 -> 3."""
    sign = "-" if v < 0 else ""
    v = abs(v)
    whole, frac = divmod(v, 10)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{frac}"


def pair(dx, dy):
    b = num(dy)
    sep = "" if b.startswith("-") else ","
    return num(dx) + sep + b


def encode(rings):
    out, x, y = [], 0, 0
    for ring in rings:
        sx, sy = ring[0]
        parts = ["m" + pair(sx - x, sy - y)]
        px, py = sx, sy
        for qx, qy in ring[1:]:
            parts.append(pair(qx - px, qy - py))
            px, py = qx, qy
        # Implicit lineto pairs need a separator unless the next number starts with "-".
        text = parts[0]
        for p in parts[1:]:
            text += p if p.startswith("-") else " " + p
        out.append(text + "z")
        x, y = sx, sy  # after z the current point is the ring's start
    return "".join(out)


def main(src):
    s = open(src, encoding="utf-8").read()
    counties = []
    for body in re.findall(r"<path(.*?)/>", s, re.S):
        cid = re.search(r'\bid="([^"]*)"', body).group(1)
        name = re.search(r'\bname="([^"]*)"', body).group(1)
        d = re.search(r'\bd="([^"]*)"', body).group(1)
        counties.append((cid, name, [tenths(r) for r in rings_of(d)]))
    owners = {}
    for cid, _, rings in counties:
        for r in rings:
            for p in r:
                owners.setdefault(p, set()).add(cid)
    arcs = {}

    def simplified_arc(arc):
        rev = tuple(reversed(arc))
        key = min(tuple(arc), rev)
        if key not in arcs:
            arcs[key] = dp(list(key), TOLERANCE)
        done = arcs[key]
        return done if key == tuple(arc) else list(reversed(done))

    out = []
    for cid, name, rings in counties:
        kept = []
        for r in rings:
            n = len(r)
            if n < 3:
                continue
            own = [frozenset(owners[p]) for p in r]
            nodes = [i for i in range(n)
                     if own[i] != own[i - 1] or own[i] != own[(i + 1) % n] or len(own[i]) > 2]
            if not nodes:
                simple = dp(r + [r[0]], TOLERANCE)[:-1]
            else:
                simple = []
                for k, a in enumerate(nodes):
                    b = nodes[(k + 1) % len(nodes)]
                    arc = r[a:b + 1] if b > a else r[a:] + r[:b + 1]
                    simple.extend(simplified_arc(arc)[:-1])
            if len(simple) >= 3 and area(simple) >= MIN_AREA:
                kept.append(simple)
        out.append((cid, name, kept))
    print('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 458 580" aria-label="Map of Kenya\'s 47 counties">')
    print("<!-- Kenya's 47 counties. Map: MapSVG (mapsvg.com), via svg-maps (@svg-maps/kenya 1.0.0), CC BY 4.0.")
    print(f"     Simplified by assets/geo/simplify.py: one decimal, shared borders simplified once (tolerance {TOLERANCE}), islands under {MIN_AREA} square units dropped. -->")
    for cid, name, kept in out:
        print(f'<path id="{cid}" name="{name}" d="{encode(kept)}"/>')
    print("</svg>")


if __name__ == "__main__":
    main(sys.argv[1])
