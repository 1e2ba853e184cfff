// Accessibility checks run in the page by tests/e2e/test_accessibility.py.
// Each block is one function; a separator line (three dashes after the slashes) ends it.
() => {
  const out = [];
  const short = el => el.outerHTML.replace(/\s+/g, ' ').slice(0, 140);
  const visible = el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  const nameOf = el => {
    let n = el.getAttribute('aria-label') || '';
    const by = el.getAttribute('aria-labelledby');
    if (by) n += by.split(/\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
    if (el.labels) n += [...el.labels].map(l => l.textContent).join(' ');
    return (n || el.title || '').trim();
  };
  if (!document.documentElement.lang) out.push('the page does not say its language');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || !visible(el)) continue;
    if (!nameOf(el)) out.push('field without a label: ' + short(el));
  }
  for (const el of document.querySelectorAll('button, a[href], summary')) {
    if (!visible(el)) continue;
    const text = (el.innerText || nameOf(el) ||
      [...el.querySelectorAll('svg[aria-label], img[alt]')].map(x => x.getAttribute('aria-label') || x.alt).join('')).trim();
    if (!text) out.push('control without a name: ' + short(el));
    if (el.tabIndex < 0) out.push('control taken out of the Tab order: ' + short(el));
  }
  for (const svg of document.querySelectorAll('svg')) {
    if (svg.closest('[aria-hidden=true]') || svg.parentElement.closest('svg')) continue;
    const alt = svg.getAttribute('aria-label') || (svg.querySelector('title') || {}).textContent;
    if (!alt || !alt.trim()) out.push('image without a text alternative: ' + short(svg));
  }
  // contrast of every piece of text against the colour really behind it
  const rgba = c => { const m = c.match(/[\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat(1); };
  const behind = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || seen.has(el) || !visible(el) || el.closest('svg')) continue;
    seen.add(el);
    const s = getComputedStyle(el);
    const bg = behind(el), fg = over(rgba(s.color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(`contrast ${ratio.toFixed(2)} < ${need}: "${n.textContent.trim().slice(0, 40)}" (${s.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
  }
  return out;
}
// ---
() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
  .filter(el => el.type !== 'hidden' && !el.disabled && el.getBoundingClientRect().width > 0
                && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { el.dataset.a11y = el.dataset.a11y || String(Math.random()); return el.dataset.a11y; })
// ---
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
  return [el.dataset.a11y || '', shown, el.outerHTML.slice(0, 100)];
}
