import { describe, expect, it } from 'vitest';
import { Catalog } from './catalog.js';
import { snapshotAtIndex } from './snapshot.js';

const coord = (x: number) => ({ Vec: [x, 0, 0, 0, 0, 0, 0, 0], Error: 0.2, Adjustment: 0.001, Height: 0.0001 });

function withNodes(): Catalog {
  const c = new Catalog();
  c.apply(1, { Type: 'Register', Node: 'n1', Address: '10.0.0.1' });
  c.apply(2, { Type: 'Register', Node: 'n2', Address: '10.0.0.2' });
  return c;
}

describe('coordinates table', () => {
  it('a batch upserts coordinates of known nodes; unknown nodes and invalid coordinates are skipped; the index moves', () => {
    const c = withNodes();
    const r = c.apply(3, {
      Type: 'CoordinateBatchUpdate',
      Coordinates: [
        { Node: 'n2', Segment: '', Coord: coord(0.002) },
        { Node: 'N1', Segment: '', Coord: coord(0.001) },
        { Node: 'ghost', Segment: '', Coord: coord(0.5) },
        { Node: 'n1', Segment: 'alpha', Coord: { ...coord(0), Vec: [] } },
      ],
    });
    expect(r.ok).toBe(true);
    const all = c.coordinates();
    expect(all.index).toBe(3);
    expect(all.value.map((e) => e.Node)).toEqual(['N1', 'n2']);
    expect(all.value[1]).toEqual({ Node: 'n2', Segment: '', Coord: coord(0.002) });
    expect(c.nodeCoordinates('n1').value).toHaveLength(1);
    expect(c.nodeCoordinates('ghost').value).toEqual([]);
    c.apply(4, { Type: 'CoordinateBatchUpdate', Coordinates: [{ Node: 'n1', Segment: '', Coord: coord(0.009) }] });
    expect(c.nodeCoordinates('n1')).toMatchObject({ index: 4, value: [{ Coord: coord(0.009) }] });
  });

  it('a batch wakes blocking queries on coordinates; a bad batch is refused', async () => {
    const c = withNodes();
    const first = c.coordinates();
    const woke = c.watch(first.watch);
    c.apply(3, { Type: 'CoordinateBatchUpdate', Coordinates: [{ Node: 'n1', Segment: '', Coord: coord(0.1) }] });
    await woke;
    expect(c.apply(4, { Type: 'CoordinateBatchUpdate', Coordinates: 'x' as never }).ok).toBe(false);
  });

  it('deregistering a node deletes its coordinates and moves the index', () => {
    const c = withNodes();
    c.apply(3, { Type: 'CoordinateBatchUpdate', Coordinates: [{ Node: 'n1', Segment: '', Coord: coord(0.1) }, { Node: 'n2', Segment: '', Coord: coord(0.2) }] });
    c.apply(4, { Type: 'Deregister', Node: 'n1' });
    expect(c.coordinates()).toMatchObject({ index: 4, value: [{ Node: 'n2' }] });
  });

  it('snapshots carry them (through JSON too); older snapshots restore empty; snapshotAtIndex clamps the index', () => {
    const c = withNodes();
    c.apply(3, { Type: 'CoordinateBatchUpdate', Coordinates: [{ Node: 'n1', Segment: '', Coord: coord(0.1) }] });
    const snap = JSON.parse(JSON.stringify(c.snapshot()));
    const back = Catalog.fromSnapshot(snap);
    expect(back.coordinates()).toEqual(c.coordinates());
    expect(back.snapshot()).toEqual(c.snapshot());
    const { Coordinates: _drop, ...old } = snap;
    expect(Catalog.fromSnapshot(old).coordinates().value).toEqual([]);
    expect(snapshotAtIndex(snap, 2).Coordinates?.Index).toBe(2);
  });
});
