// What a 390-px phone shows wrong, measured in the page (issue 16 item 12):
// anything wider than the screen, text squeezed to one character per line,
// and a date or time broken over two lines ("2025-/11-16").
() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const name = (el) =>
    el.tagName.toLowerCase() +
    (el.id ? `#${el.id}` : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (["OPTION", "DATALIST", "SCRIPT", "STYLE", "TITLE"].includes(el.tagName)) continue;
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || scrolls(el)) continue;
    if (r.right > width + 1 || r.left < -1) {
      problems.push(`${name(el)} spans ${Math.round(r.left)}…${Math.round(r.right)}px`);
    }
  }
  const lines = (range) =>
    new Set([...range.getClientRects()].filter((q) => q.width > 0).map((q) => Math.round(q.top)))
      .size;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const DATE = /\d{4}-\d{2}-\d{2}|\d{2}-\d{2} \d{2}:\d{2}|\d{2}:\d{2}/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    const chars = text.replace(/\s/g, "").length;
    if (chars < 4 || !node.parentElement || node.parentElement.closest("option, script, style, title")) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const n = lines(range);
    if (n >= 3 && chars / n < 2) {
      problems.push(`"${text.trim().slice(0, 30)}" wraps one character per line (${n} lines) in ${name(node.parentElement)}`);
    }
    for (const m of text.matchAll(DATE)) {
      const part = document.createRange();
      part.setStart(node, m.index);
      part.setEnd(node, m.index + m[0].length);
      if (lines(part) > 1) problems.push(`"${m[0]}" is split over two lines in ${name(node.parentElement)}`);
    }
  }
  return problems;
}
