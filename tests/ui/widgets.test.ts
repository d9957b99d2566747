import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import type { ParamKind, ParamSpec } from '../../src/graph/nodeSpec.ts';
import { WIDGETS, renderWidget, widgetValue } from '../../src/ui/widgets/registry.ts';
import { approvePreview, imagePreviewOf, resetPreviewApprovals } from '../../src/ui/widgets/imagePreview.ts';
import { dragValue, normalizeNumber, randomSeed, sliderRange, MAX_SEED } from '../../src/ui/widgets/numeric.ts';

const SAMPLE_SPECS: { [K in ParamKind]: Extract<ParamSpec, { kind: K }> } = {
  int: { kind: 'int', default: 20, min: 1, max: 150 },
  float: { kind: 'float', default: 7.5, min: 0, max: 30, step: 0.5 },
  string: { kind: 'string', default: 'a red circle', multiline: true },
  enum: { kind: 'enum', options: ['euler', 'ddim'], default: 'euler' },
  boolean: { kind: 'boolean', default: true },
  seed: { kind: 'seed', default: 42 },
  image: { kind: 'image', default: '' },
  model: { kind: 'model', default: 'toy' },
  ports: { kind: 'ports', default: [{ name: 'latent', type: 'LATENT' }] },
};

function render(kind: ParamKind, stored?: unknown): string {
  const spec = SAMPLE_SPECS[kind];
  return renderToStaticMarkup(
    createElement(() =>
      renderWidget({
        nodeId: 'n',
        name: `p_${kind}`,
        spec: spec as never,
        value: widgetValue(spec, stored) as never,
        onChange: () => {},
        models: ['toy', 'sd15'],
      }),
    ),
  );
}

describe('widget registry', () => {
  it('has a widget for every param kind', () => {
    for (const kind of Object.keys(SAMPLE_SPECS) as ParamKind[]) expect(typeof WIDGETS[kind]).toBe('function');
  });

  it('renders each kind with its control', () => {
    expect(render('int')).toMatch(/type="range"[^>]*min="1"[^>]*max="150"/);
    expect(render('int')).toMatch(/type="number"[^>]*value="20"/);
    expect(render('float', 3)).toMatch(/type="number"[^>]*value="3"/);
    expect(render('string')).toContain('<textarea');
    expect(render('string')).toContain('a red circle');
    const select = render('enum', 'ddim');
    expect(select).toContain('<option value="euler">euler</option>');
    expect(select).toMatch(/<option value="ddim" selected="">/);
    expect(render('boolean')).toMatch(/type="checkbox"[^>]*checked/);
    expect(render('seed')).toContain('randomise after run');
    expect(render('image')).toContain('Drop an image');
    expect(render('model')).toContain('<option value="sd15">sd15</option>');
    expect(render('ports')).toContain('value="LATENT" selected');
  });

  it('draws a URL image source only after "load preview" (a shared graph must not fetch on open)', () => {
    resetPreviewApprovals();
    const url = render('image', 'https://tracker.example/pixel.png');
    expect(url).not.toContain('<img');
    expect(url).toContain('data-testid="load-preview"');
    expect(url).toContain('https://tracker.example/pixel.png');
    expect(render('image', '/served/by/the/app.png')).not.toContain('<img');
    // data: and blob: URLs need no request: drawn at once.
    expect(render('image', 'data:image/png;base64,AAAA')).toContain('<img');
    expect(imagePreviewOf('blob:http://127.0.0.1/1234')).toEqual({ kind: 'inline', src: 'blob:http://127.0.0.1/1234' });
    expect(imagePreviewOf('photos/cat.png')).toEqual({ kind: 'text', text: 'photos/cat.png' });
    approvePreview('https://tracker.example/pixel.png');
    expect(render('image', 'https://tracker.example/pixel.png')).toContain('<img src="https://tracker.example/pixel.png"');
    resetPreviewApprovals();
  });

  it('shows an unknown enum value instead of silently replacing it', () => {
    expect(render('enum', 'heun')).toContain('heun (unknown)');
  });

  it('falls back to the default when the stored value has the wrong type', () => {
    expect(widgetValue(SAMPLE_SPECS.int, 'x')).toBe(20);
    expect(widgetValue(SAMPLE_SPECS.boolean, 1)).toBe(true);
    expect(widgetValue(SAMPLE_SPECS.string, 5)).toBe('a red circle');
    expect(widgetValue(SAMPLE_SPECS.ports, null)).toEqual([{ name: 'latent', type: 'LATENT' }]);
  });

  it('unbounded numbers get no slider', () => {
    expect(render('seed')).not.toContain('type="range"');
    expect(sliderRange({ kind: 'float', default: 0 })).toBeUndefined();
    expect(sliderRange({ kind: 'float', default: 0, min: 0, max: 1e9 })).toBeUndefined();
  });
});

describe('numeric helpers', () => {
  it('clamps, rounds ints and replaces NaN by the default', () => {
    expect(normalizeNumber(SAMPLE_SPECS.int, 1000)).toBe(150);
    expect(normalizeNumber(SAMPLE_SPECS.int, 2.6)).toBe(3);
    expect(normalizeNumber(SAMPLE_SPECS.float, -3)).toBe(0);
    expect(normalizeNumber(SAMPLE_SPECS.float, Number.NaN)).toBe(7.5);
  });

  it('drag moves one step per 4 px, fine drag per 16 px', () => {
    expect(dragValue(SAMPLE_SPECS.float, 7.5, 40, false)).toBe(12.5);
    expect(dragValue(SAMPLE_SPECS.float, 7.5, 40, true)).toBe(8.5);
    expect(dragValue(SAMPLE_SPECS.int, 20, -1000, false)).toBe(1);
  });

  it('random seeds are integers in range and cover the high bits', () => {
    expect(randomSeed(() => 0)).toBe(0);
    expect(randomSeed(() => 0.999999999999)).toBeLessThanOrEqual(MAX_SEED);
    const s = randomSeed(() => 0.5);
    expect(Number.isSafeInteger(s)).toBe(true);
    expect(s).toBeGreaterThan(2 ** 32);
  });
});
