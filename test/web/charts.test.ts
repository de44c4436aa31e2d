/** The console's SVG charts are Html built with the html tag: register text is escaped in text and attributes. */
import { describe, expect, test } from 'vitest';
import { Html } from '../../src/core/html.ts';
import { barChartSvg, gaugeSvg } from '../../src/web/charts.ts';

describe('charts', () => {
  test('a bar chart escapes its title and labels, in text and in aria-label', () => {
    const svg = barChartSvg('Rows <"by"> & \'action\'', { '<b>x</b>': 3, plain: 1 });
    expect(svg).toBeInstanceOf(Html);
    expect(svg.value).toContain('aria-label="Rows &lt;&quot;by&quot;&gt; &amp; &#39;action&#39;"');
    expect(svg.value).toContain('<title>Rows &lt;&quot;by&quot;&gt; &amp; &#39;action&#39;</title>');
    expect(svg.value).toContain('>&lt;b&gt;x&lt;/b&gt;</text>');
    expect(svg.value).not.toContain('<b>');
    expect(svg.value.match(/<rect /g)?.length).toBe(2);
  });

  test('a gauge shows the share, or a dash, and escapes its caption', () => {
    expect(gaugeSvg('On time', 0.5, '1 of 2 <closed>').value).toContain('aria-label="On time: 50%"');
    expect(gaugeSvg('On time', 0.5, '1 of 2 <closed>').value).toContain('1 of 2 &lt;closed&gt;</text>');
    expect(gaugeSvg('On time', null, '').value).toContain('aria-label="On time: —"');
  });
});
