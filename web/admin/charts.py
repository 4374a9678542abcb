"""Charts as server-side SVG (pure functions, no JavaScript, nothing from a CDN).

Each chart says its point in its title and shows its numbers as text, so a
person reads it at a glance and a screen reader gets the same figures
(<title> and an aria-label).
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

INK, MUTED, LINE = "#1d2733", "#55606e", "#d5dbe3"
FOUND, UNMET = "#0b5cad", "#c2410c"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    part: int = 0  # the share drawn in the second colour (e.g. without result)


def _text(x, y, text, anchor="start", size=13, fill=INK, weight="normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" '
            f'font-weight="{weight}">{escape(str(text))}</text>')


def horizontal_bars(title: str, bars: list[Bar], part_label: str = "sans résultat", whole_label: str = "demandes",
                    width: int = 640) -> str:
    """One row per label: the whole bar, its part in orange, and "12 (3 sans résultat)" at its end."""
    row, top, label_w = 26, 46, 210
    height = top + row * max(len(bars), 1) + 12
    peak = max((b.value for b in bars), default=0) or 1
    room = width - label_w - 150
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
           _text(0, 18, title, size=15, weight="bold"),
           f'<rect x="0" y="28" width="12" height="12" fill="{FOUND}"/>', _text(16, 38, whole_label, size=12, fill=MUTED),
           f'<rect x="120" y="28" width="12" height="12" fill="{UNMET}"/>', _text(136, 38, part_label, size=12, fill=MUTED)]
    if not bars:
        out.append(_text(0, top + 16, "Aucune donnée pour ces filtres.", fill=MUTED))
    for i, bar in enumerate(bars):
        y = top + i * row
        whole = room * bar.value / peak
        part = room * bar.part / peak
        out.append(_text(label_w - 8, y + 16, bar.label[:32], anchor="end", size=12))
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{max(whole, 1):.1f}" height="16" fill="{FOUND}"/>')
        if bar.part:
            out.append(f'<rect x="{label_w}" y="{y + 4}" width="{part:.1f}" height="16" fill="{UNMET}"/>')
        note = f"{bar.value}" + (f" ({bar.part} {part_label})" if bar.part else "")
        out.append(_text(label_w + whole + 6, y + 16, note, size=12))
    out.append("</svg>")
    return "".join(out)


def weekly_columns(title: str, bars: list[Bar], part_label: str = "sans résultat", width: int = 640) -> str:
    """One column per week (oldest on the left), its part in orange at the bottom, the total on top."""
    height, top, bottom = 280, 66, 40
    plot = height - top - bottom
    n = max(len(bars), 1)
    step = (width - 20) / n
    peak = max((b.value for b in bars), default=0) or 1
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
           _text(0, 18, title, size=15, weight="bold"),
           f'<rect x="0" y="28" width="12" height="12" fill="{FOUND}"/>', _text(16, 38, "demandes", size=12, fill=MUTED),
           f'<rect x="120" y="28" width="12" height="12" fill="{UNMET}"/>', _text(136, 38, part_label, size=12, fill=MUTED),
           f'<line x1="10" y1="{top + plot}" x2="{width - 10}" y2="{top + plot}" stroke="{LINE}"/>']
    if not bars:
        out.append(_text(10, top + plot / 2, "Aucune donnée pour ces filtres.", fill=MUTED))
    every = max(1, round(n / 8))  # at most ~8 date labels
    for i, bar in enumerate(bars):
        x = 10 + i * step + step * 0.15
        w = step * 0.7
        h = plot * bar.value / peak
        hp = plot * bar.part / peak
        out.append(f'<rect x="{x:.1f}" y="{top + plot - h:.1f}" width="{w:.1f}" height="{max(h, 1):.1f}" fill="{FOUND}"/>')
        if bar.part:
            out.append(f'<rect x="{x:.1f}" y="{top + plot - hp:.1f}" width="{w:.1f}" height="{hp:.1f}" fill="{UNMET}"/>')
        out.append(_text(x + w / 2, top + plot - h - 4, bar.value, anchor="middle", size=11))
        if i % every == 0 or i == n - 1:
            out.append(_text(x + w / 2, top + plot + 16, bar.label, anchor="middle", size=11, fill=MUTED))
    out.append("</svg>")
    return "".join(out)
