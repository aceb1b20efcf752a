import { describe, expect, it } from 'vitest';
import { escapeXml, lineChartSvg, niceStep } from './svg-plot.ts';

describe('svg line chart', () => {
  it('nice tick steps are 1, 2 or 5 × 10^k', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(0.3, 5)).toBeCloseTo(0.1, 12);
    expect(niceStep(0.12, 5)).toBeCloseTo(0.05, 12);
    expect(niceStep(40, 5)).toBe(10);
  });

  it('draws one band and one mean line per series at the mapped coordinates, with a legend', () => {
    const svg = lineChartSvg({
      title: 'T <1>', xLabel: 'iteration', yLabel: 'acc', width: 400, height: 300,
      series: [
        { label: 'A & B', points: [{ x: 0, mean: 0.2, std: 0 }, { x: 2, mean: 0.6, std: 0 }] },
        { label: 'C', points: [{ x: 0, mean: 0.4, std: 0.1 }, { x: 1, mean: 0.4, std: 0.1 }, { x: 2, mean: 0.4, std: 0.1 }] },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('T &lt;1&gt;');
    expect(svg).toContain('>A &amp; B</text>');
    const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
    expect(lines.map((l) => l.length)).toEqual([2, 3]);
    // y spans [0.2, 0.6] with step 0.1 → axis 0.2…0.6; plot area x 64…(400−180), y 40…(300−52).
    const [first, last] = lines[0];
    expect(first).toEqual([64, 248]);
    expect(last).toEqual([220, 40]);
    expect(lines[1][0][1]).toBeCloseTo(40 + (1 - (0.4 - 0.2) / 0.4) * 208, 2);
    expect((svg.match(/<polygon /g) ?? []).length).toBe(2);
  });

  it('a guide line widens the y range to include it and is drawn dashed with its label', () => {
    const svg = lineChartSvg({
      title: 't', xLabel: 'x', yLabel: 'y', width: 400, height: 300, guides: [{ y: 0.1, label: 'chance' }],
      series: [{ label: 'A', points: [{ x: 0, mean: 0.2, std: 0 }, { x: 1, mean: 0.6, std: 0 }] }],
    });
    // y now spans [0.1, 0.6] (step 0.1): the guide sits on the bottom edge y = 248.
    expect(svg).toContain('<line x1="64" x2="220" y1="248" y2="248" stroke="#888" stroke-dasharray="5 4"/>');
    expect(svg).toContain('>chance</text>');
  });

  it('escapes XML specials', () => {
    expect(escapeXml('a<b>&"c"')).toBe('a&lt;b&gt;&amp;&quot;c&quot;');
  });
});
