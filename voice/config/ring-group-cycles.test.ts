import { describe, expect, it } from 'vitest';
import { cyclePath, type RingGroupGraph } from './ring-group-cycles.js';

const graph = (edges: Record<string, string[]>): RingGroupGraph => new Map(Object.entries(edges));

describe('cyclePath', () => {
  it('finds self-nesting', () => {
    expect(cyclePath(graph({}), 'A', 'A')).toEqual(['A', 'A']);
  });

  it('finds A -> B -> A when B already holds A', () => {
    expect(cyclePath(graph({ B: ['A'] }), 'A', 'B')).toEqual(['A', 'B', 'A']);
  });

  it('finds a longer cycle and reports the path through it', () => {
    const g = graph({ B: ['X', 'C'], C: ['D'], D: ['A'], X: [] });
    expect(cyclePath(g, 'A', 'B')).toEqual(['A', 'B', 'C', 'D', 'A']);
  });

  it('accepts a chain that does not come back', () => {
    expect(cyclePath(graph({ B: ['C'], C: ['D'] }), 'A', 'B')).toBeUndefined();
  });

  it('accepts diamonds: two paths to the same sub-group are not a cycle', () => {
    const g = graph({ B: ['D'], C: ['D'], D: [] });
    expect(cyclePath(g, 'A', 'B')).toBeUndefined();
    expect(cyclePath(g, 'A', 'C')).toBeUndefined();
  });

  it('terminates on stored data that is already cyclic elsewhere', () => {
    const g = graph({ B: ['C'], C: ['B'] });
    expect(cyclePath(g, 'A', 'B')).toBeUndefined();
  });

  it('walks a deep chain', () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 2000; i++) edges[`G${i}`] = [`G${i + 1}`];
    edges.G2000 = ['A'];
    const path = cyclePath(graph(edges), 'A', 'G0');
    expect(path?.length).toBe(2003);
    expect(path?.at(-2)).toBe('G2000');
  });
});
