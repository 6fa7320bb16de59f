// The chart `pnpm bench` draws from its own table: req/s and p99 latency per variant, one bar
// group per connection level, as a standalone SVG (no library, no fonts to load).
import { VARIANT_KEYS, VARIANTS, type Row } from "./report.ts";

const WIDTH = 960;
const PANEL_HEIGHT = 260;
const MARGIN = { top: 48, left: 64, right: 16, bottom: 40 };
const LEGEND_ROW_HEIGHT = 18;
const GROUP_GAP = 28;
// Colour-blind-safe palette (Okabe–Ito), one colour per variant in table order.
const COLOURS = ["#999999", "#E69F00", "#0072B2", "#56B4E9", "#009E73", "#000000", "#CC79A7", "#D55E00", "#F0E442"];

interface Panel {
  title: string;
  value: (row: Row) => number;
  format: (value: number) => string;
}

const PANELS: Panel[] = [
  { title: "Requests per second (higher is better)", value: (row) => row.requestsPerSecond, format: (value) => Math.round(value).toLocaleString("en-US") },
  { title: "p99 latency in ms (lower is better)", value: (row) => row.p99Ms, format: (value) => (value < 10 ? value.toFixed(1) : Math.round(value).toString()) },
];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function renderPanel(panel: Panel, rows: Row[], top: number): string[] {
  const levels = [...new Set(rows.map((row) => row.connections))].sort((a, b) => a - b);
  const variants = VARIANT_KEYS.filter((variant) => rows.some((row) => row.variant === variant));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const groupWidth = (plotWidth - GROUP_GAP * (levels.length - 1)) / levels.length;
  const barWidth = groupWidth / variants.length;
  const values = rows.map(panel.value).filter(Number.isFinite);
  const max = Math.max(...values, Number.MIN_VALUE);
  const baseline = top + PANEL_HEIGHT;
  const parts = [`<text x="${MARGIN.left}" y="${top - 12}" class="title">${escapeXml(panel.title)}</text>`];
  parts.push(`<line x1="${MARGIN.left}" y1="${baseline}" x2="${WIDTH - MARGIN.right}" y2="${baseline}" class="axis"/>`);
  levels.forEach((connections, groupIndex) => {
    const groupX = MARGIN.left + groupIndex * (groupWidth + GROUP_GAP);
    parts.push(`<text x="${(groupX + groupWidth / 2).toFixed(1)}" y="${baseline + 18}" class="level">${connections} connection${connections === 1 ? "" : "s"}</text>`);
    variants.forEach((variant, variantIndex) => {
      const row = rows.find((candidate) => candidate.variant === variant && candidate.connections === connections);
      const value = row ? panel.value(row) : Number.NaN;
      if (!Number.isFinite(value)) return;
      const height = (value / max) * PANEL_HEIGHT;
      const x = groupX + variantIndex * barWidth;
      const label = `${VARIANTS[variant]}, ${connections} conn.: ${panel.format(value)}`;
      parts.push(
        `<rect class="bar" x="${(x + 1).toFixed(1)}" y="${(baseline - height).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${height.toFixed(1)}" fill="${COLOURS[VARIANT_KEYS.indexOf(variant)]}"><title>${escapeXml(label)}</title></rect>`,
        `<text x="${(x + barWidth / 2).toFixed(1)}" y="${(baseline - height - 4).toFixed(1)}" class="value">${escapeXml(panel.format(value))}</text>`,
      );
    });
  });
  return parts;
}

/** The SVG for the run's rows (medians over rounds), headed by the lines of `caption`. */
export function renderChart(rows: Row[], caption: string[]): string {
  const variants = VARIANT_KEYS.filter((variant) => rows.some((row) => row.variant === variant));
  const legendTop = MARGIN.top + (caption.length - 1) * LEGEND_ROW_HEIGHT;
  const firstPanelTop = legendTop + variants.length * LEGEND_ROW_HEIGHT + MARGIN.top;
  const panelStride = PANEL_HEIGHT + MARGIN.top + MARGIN.bottom;
  const height = firstPanelTop + PANELS.length * panelStride - MARGIN.top;
  const legend = variants.map((variant, index) => {
    const y = legendTop + index * LEGEND_ROW_HEIGHT;
    return `<rect x="${MARGIN.left}" y="${y - 10}" width="12" height="12" fill="${COLOURS[VARIANT_KEYS.indexOf(variant)]}"/><text x="${MARGIN.left + 18}" y="${y}" class="legend">${escapeXml(VARIANTS[variant])}</text>`;
  });
  const panels = PANELS.flatMap((panel, index) => renderPanel(panel, rows, firstPanelTop + index * panelStride));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" font-family="sans-serif">`,
    "<style>.title{font-size:15px;font-weight:bold}.caption{font-size:12px;fill:#444}.legend{font-size:12px}.level{font-size:13px;text-anchor:middle}.value{font-size:9px;text-anchor:middle}.axis{stroke:#333}</style>",
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...caption.map((line, index) => `<text x="${MARGIN.left}" y="${22 + index * LEGEND_ROW_HEIGHT}" class="caption">${escapeXml(line)}</text>`),
    ...legend,
    ...panels,
    "</svg>",
    "",
  ].join("\n");
}
