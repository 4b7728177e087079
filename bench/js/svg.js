'use strict';
/**
 * Hand-written SVG for the real-time chart (no dependencies): two stacked panels sharing the
 * x axis (streams): on-time % (linear) and event-loop delay p99 in ms (log scale), one line per
 * contender, with the pass thresholds drawn as dashed lines.
 */

const COLORS = {
  'voxpool-many': '#1d4ed8',
  'voxpool-async': '#0891b2',
  'discordjs-sync': '#dc2626',
  workers: '#d97706',
};
const FALLBACK = ['#7c3aed', '#059669', '#db2777', '#4b5563'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x) => +x.toFixed(1);

/**
 * @param {{title: string, subtitle: string, passOnTime: number, passLoopP99: number,
 *   series: {label: string, key: string, main?: boolean, secondary?: boolean,
 *            points: {x: number, onTime: number, loopP99: number}[]}[]}} spec
 * @returns {string}
 */
function realtimeChart(spec) {
  const W = 960;
  const H = 760;
  const left = 80;
  const right = 30;
  const plotW = W - left - right;
  const top1 = 90;
  const plotH = 230;
  const top2 = top1 + plotH + 70;
  const legendTop = top2 + plotH + 60;

  const all = spec.series.flatMap((s) => s.points);
  const maxX = Math.max(100, Math.ceil(Math.max(0, ...all.map((p) => p.x)) / 50) * 50);
  const x = (v) => left + (v / maxX) * plotW;

  const minOn = Math.min(100, ...all.map((p) => p.onTime));
  const loOn = Math.min(90, Math.max(0, Math.floor(minOn / 10) * 10));
  const yOn = (v) => top1 + plotH - ((Math.max(loOn, Math.min(100, v)) - loOn) / (100 - loOn)) * plotH;

  const loLog = -1; // 0.1 ms
  const hiLog = Math.max(2, Math.ceil(Math.log10(Math.max(1, ...all.map((p) => p.loopP99)))));
  const yLoop = (v) => {
    const l = Math.log10(Math.max(10 ** loLog, v));
    return top2 + plotH - ((l - loLog) / (hiLog - loLog)) * plotH;
  };

  const parts = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="30" text-anchor="middle" font-size="17" font-weight="bold">${esc(spec.title)}</text>`,
    `<text x="${W / 2}" y="52" text-anchor="middle" fill="#555">${esc(spec.subtitle)}</text>`,
  );

  const frame = (top, label) => {
    parts.push(
      `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="#fafafa" stroke="#999"/>`,
      `<text x="${left}" y="${top - 10}" font-size="14" font-weight="bold">${esc(label)}</text>`,
    );
    for (let v = 0; v <= maxX; v += 50) {
      parts.push(
        `<line x1="${num(x(v))}" y1="${top}" x2="${num(x(v))}" y2="${top + plotH}" stroke="#e5e5e5"/>`,
        `<text x="${num(x(v))}" y="${top + plotH + 16}" text-anchor="middle" fill="#333">${v}</text>`,
      );
    }
    parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle" fill="#333">concurrent streams</text>`);
  };

  // Panel 1: on-time %.
  frame(top1, 'Frames on time (packet back in JS ≤ 20 ms after due), %');
  const step = (100 - loOn) / 5;
  for (let v = loOn; v <= 100 + 1e-9; v += step) {
    parts.push(
      `<line x1="${left}" y1="${num(yOn(v))}" x2="${left + plotW}" y2="${num(yOn(v))}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${num(yOn(v) + 4)}" text-anchor="end" fill="#333">${+v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${num(yOn(spec.passOnTime))}" x2="${left + plotW}" y2="${num(yOn(spec.passOnTime))}" stroke="#16a34a" stroke-dasharray="6 4"/>`,
    `<text x="${left + 6}" y="${num(yOn(spec.passOnTime) + 14)}" fill="#16a34a">${spec.passOnTime} % target</text>`,
  );

  // Panel 2: loop delay p99 (log).
  frame(top2, 'Event-loop delay p99, ms (log scale)');
  for (let l = loLog; l <= hiLog; l++) {
    const v = 10 ** l;
    parts.push(
      `<line x1="${left}" y1="${num(yLoop(v))}" x2="${left + plotW}" y2="${num(yLoop(v))}" stroke="#e5e5e5"/>`,
      `<text x="${left - 8}" y="${num(yLoop(v) + 4)}" text-anchor="end" fill="#333">${v >= 1 ? v : v.toFixed(1)}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${num(yLoop(spec.passLoopP99))}" x2="${left + plotW}" y2="${num(yLoop(spec.passLoopP99))}" stroke="#16a34a" stroke-dasharray="6 4"/>`,
    `<text x="${left + 6}" y="${num(yLoop(spec.passLoopP99) - 6)}" fill="#16a34a">${spec.passLoopP99} ms target</text>`,
  );

  // Series: the headline first, so the thinner lines drawn later stay visible where they overlap.
  const order = spec.series.map((s, i) => ({ s, i })).sort((a, b) => (b.s.main ? 1 : 0) - (a.s.main ? 1 : 0));
  order.forEach(({ s, i }) => {
    const color = COLORS[s.key] || FALLBACK[i % FALLBACK.length];
    const width = s.main ? 3.5 : 2;
    const dash = s.secondary ? ' stroke-dasharray="7 4"' : '';
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    for (const [yf, key] of [
      [yOn, 'onTime'],
      [yLoop, 'loopP99'],
    ]) {
      if (!pts.length) continue;
      const d = pts.map((p, j) => `${j ? 'L' : 'M'}${num(x(p.x))},${num(yf(p[key]))}`).join(' ');
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}"${dash}/>`);
      for (const p of pts) {
        parts.push(
          `<circle cx="${num(x(p.x))}" cy="${num(yf(p[key]))}" r="${s.main ? 4.5 : 3.5}" fill="${color}"><title>${esc(s.label)}: ${p.x} streams, ${key === 'onTime' ? `${p.onTime.toFixed(2)} % on time` : `loop p99 ${p.loopP99.toFixed(2)} ms`}</title></circle>`,
        );
      }
    }
    const lx = left + (i % 2) * (plotW / 2);
    const ly = legendTop + Math.floor(i / 2) * 24;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 34}" y2="${ly}" stroke="${color}" stroke-width="${width}"${dash}/>`,
      `<circle cx="${lx + 17}" cy="${ly}" r="${s.main ? 4.5 : 3.5}" fill="${color}"/>`,
      `<text x="${lx + 44}" y="${ly + 4}" fill="#111"${s.main ? ' font-weight="bold"' : ''}>${esc(s.label)}</text>`,
    );
  });
  parts.push(
    `<text x="${left}" y="${H - 12}" fill="#777" font-size="11">Pass = ≥ ${spec.passOnTime} % on time and loop p99 ≤ ${spec.passLoopP99} ms; "max" = largest N passing. Sweeps stop after a point below 50 % or two below 90 % on time.</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

module.exports = { realtimeChart };
