"""What a page looks like, measured in the browser rather than judged by eye: sizes from
getBoundingClientRect, colours from getComputedStyle, contrast as WCAG 2.x computes it."""

from __future__ import annotations

from typing import Any

from tests.support.browser import Page

# Every visible element that has text of its own: its text, colour and the colour under it
# (the first opaque background among it and its ancestors, blended with the translucent
# ones above that), its font size and weight, and the WCAG contrast ratio of the two.
_CONTRASTS = """
function rgba(text) {
  var m = text.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return [0, 0, 0, 0];
  var p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function over(top, under) {  // `top` (rgba) drawn over an opaque `under`
  return [0, 1, 2].map(function (i) { return top[i] * top[3] + under[i] * (1 - top[3]); });
}
function background(el) {
  var layers = [];
  for (var e = el; e; e = e.parentElement) {
    var c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  var base = [255, 255, 255];  // the canvas, if nothing is opaque
  for (var i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
  return base;
}
function luminance(c) {
  var l = c.map(function (v) {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}
function ratio(a, b) {
  var x = luminance(a), y = luminance(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
var found = [];
document.querySelectorAll('body *').forEach(function (el) {
  var own = Array.from(el.childNodes).some(function (n) {
    return n.nodeType === 3 && n.textContent.trim();
  });
  var box = el.getBoundingClientRect();
  if (!own || !el.checkVisibility() || !box.width || !box.height) return;
  var style = getComputedStyle(el), bg = background(el);
  var size = parseFloat(style.fontSize), weight = parseInt(style.fontWeight, 10);
  found.push({
    id: el.id || el.className || el.tagName, text: el.textContent.trim().slice(0, 30),
    ratio: ratio(over(rgba(style.color), bg), bg),
    large: size >= 24 || (size >= 18.66 && weight >= 700),
  });
});
return found;
"""


async def contrasts(page: Page) -> list[dict[str, Any]]:
    """Every visible text's contrast against what is under it (see _CONTRASTS)."""
    return list(await page.js(_CONTRASTS))


def too_faint(found: list[dict[str, Any]]) -> list[str]:
    """The texts under WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold)."""
    return [f"{t['id']} {t['text']!r}: {t['ratio']:.2f}" for t in found
            if t["ratio"] < (3.0 if t["large"] else 4.5)]


async def boxes(page: Page, selector: str) -> list[dict[str, Any]]:
    """The selector's visible elements with their label and rectangle (CSS px)."""
    return list(await page.js(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".filter(function (e) { return e.checkVisibility(); })"
        ".map(function (e) { var r = e.getBoundingClientRect();"
        " return {key: e.dataset.key || e.id || e.className || e.tagName,"
        " x: r.x, y: r.y, width: r.width, height: r.height}; });", selector))
